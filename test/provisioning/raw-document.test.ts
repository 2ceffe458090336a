import * as fs from 'fs';
import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, FAKE_PRIVATE_KEY, FIXTURES, kindTestBed, KindTestBedOptions } from './kind-context';
import { OsFamily } from '../../src/common/os-family';
import { ComponentDocumentOptions, RawComponentDocument } from '../../src/provisioning/raw-document';
import { parseComponentDocumentYaml } from '../../src/provisioning/toe/parse';

const HELLO = path.join(FIXTURES, 'documents', 'hello-linux.yaml');
const BROKEN = path.join(FIXTURES, 'documents', 'broken-indent.yaml');
const CORPUS = path.join(__dirname, '..', '..', '..', 'shared', 'corpus', 'toe');

function bind(kind: RawComponentDocument, options: KindTestBedOptions = {}) {
  const bed = kindTestBed({ defaultName: 'document-5', ...options });
  return { ...bed, bound: kind.bind(bed.context) };
}

const LINUX_DOC = `
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Install
        action: ExecuteBash
        inputs:
          commands:
            - dnf install -y httpd
`;

describe('Provisioner.fromComponentDocument (text)', () => {
  test('the document is used as it is, on the image\'s platform', () => {
    const { bound } = bind(RawComponentDocument.fromText(LINUX_DOC));
    expect(bound).toMatchObject({ name: 'document-5', platform: OsFamily.LINUX });
    expect(bound.parameters).toBeUndefined();
    expect(bound.document!(() => 'unused')).toEqual(parseComponentDocumentYaml(LINUX_DOC));
  });

  test('the name comes from options, else from the document\'s name (made safe)', () => {
    const named = `name: 'Install web server (v2)'\n${LINUX_DOC}`;
    expect(bind(RawComponentDocument.fromText(named)).bound.name).toBe('Install-web-server-v2');
    expect(bind(RawComponentDocument.fromText(named, { name: 'web' })).bound.name).toBe('web');
    expect(() => bind(RawComponentDocument.fromText(named, { name: 'web server' }))).toThrow(/invalid provisioners\[0\]\.name 'web server'/);
  });

  test('a YAML error is a synth error pointing at the line', () => {
    const text = LINUX_DOC.replace('      - name: Install', '     - name: Install');
    expect(() => bind(RawComponentDocument.fromText(text)))
      .toThrow(/KindTest\/Image: invalid provisioners\[0\]\.document '\(YAML text\)': the component document is not valid YAML at line 6, column \d+: .*Fix the YAML at the line shown\n {2}6 \| {6}- name: Install/);
  });

  test('every validation error is listed with its path', () => {
    const text = LINUX_DOC.replace('action: ExecuteBash', 'action: ExecuteBsh').replace('schemaVersion: 1.0', 'schemaVersion: 2.0');
    let message = '';
    try {
      bind(RawComponentDocument.fromText(text));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^KindTest\/Image: invalid provisioners\[0\]\.document '\(YAML text\)': the component document is not a valid AWSTOE document \(2 problems\)\. Fix each problem/);
    expect(message).toMatch(/\n {2}- schemaVersion .*1\.0/);
    expect(message).toMatch(/\n {2}- phases\[0\]\.steps\[0\]\.action .*ExecuteBsh.*ExecuteBash/);
  });

  test('a Linux document on a Windows image is refused, and the other way round', () => {
    expect(() => bind(RawComponentDocument.fromText(LINUX_DOC), { osFamily: OsFamily.WINDOWS }))
      .toThrow(/invalid provisioners\[0\]\.document '\(YAML text\)': the component document runs only on Linux and the parent image is Windows\. Give a document written for Windows/);
    const windowsDoc = LINUX_DOC.replace('ExecuteBash', 'ExecutePowerShell').replace('dnf install -y httpd', 'Install-WindowsFeature Web-Server');
    expect(() => bind(RawComponentDocument.fromText(windowsDoc))).toThrow(/runs only on Windows and the parent image is Linux/);
    expect(bind(RawComponentDocument.fromText(windowsDoc), { osFamily: OsFamily.WINDOWS }).bound.platform).toBe(OsFamily.WINDOWS);
  });

  test('a document mixing both platforms is refused', () => {
    const mixed = `${LINUX_DOC}      - name: Windows
        action: ExecutePowerShell
        inputs:
          commands:
            - Get-Date
`;
    expect(() => bind(RawComponentDocument.fromText(mixed))).toThrow(/mixes Linux-only and Windows-only actions/);
  });

  test.each([
    ['an access key id', `            - export AWS_ACCESS_KEY_ID=${EXAMPLE_ACCESS_KEY_ID}`, /an AWS access key id on line 11/],
    ['a secret key', `            - aws_secret_access_key=${EXAMPLE_SECRET_ACCESS_KEY} aws s3 ls`, /an AWS secret access key on line 11/],
    ['a private key', `            - |\n${FAKE_PRIVATE_KEY.split('\n').map(l => '              ' + l).join('\n')}`, /a private key block on line 12/],
  ])('%s anywhere in the document is refused', (_what, line, expected) => {
    const text = `${LINUX_DOC}${line}\n`;
    expect(() => bind(RawComponentDocument.fromText(text))).toThrow(expected);
    expect(() => bind(RawComponentDocument.fromText(text))).toThrow(/document '\(value withheld\)': the component document contains .*Secrets Manager/);
  });

  test('empty text and tokens are refused', () => {
    expect(() => bind(RawComponentDocument.fromText('  \n'))).toThrow(/the component document is empty/);
    expect(() => bind(RawComponentDocument.fromText(Token.asString({ Ref: 'Doc' })))).toThrow(/must be known at synth time/);
  });

  test('a document without the provisioner\'s phase is kept, with a warning', () => {
    const { stack } = bind(RawComponentDocument.fromText(LINUX_DOC), { phase: 'test' });
    const warnings = Annotations.fromStack(stack).findWarning('/KindTest/Image', Match.anyValue());
    expect(warnings.map(w => String(w.entry.data))).toEqual([expect.stringContaining('has no \'test\' phase; it runs its own phases (build)')]);
  });
});

describe('component document parameters', () => {
  function hello(options: ComponentDocumentOptions) {
    return bind(RawComponentDocument.fromFile(HELLO, options));
  }

  test('given values are passed to the recipe; declared defaults may be left out', () => {
    const { bound } = hello({ parameters: { Greeting: 'hello from the golden image' } });
    expect(bound.name).toBe('Hello-World-Linux');
    expect(bound.parameters).toEqual({ Greeting: 'hello from the golden image' });
  });

  test('a parameter without a default must be given', () => {
    expect(() => hello({}))
      .toThrow(/invalid provisioners\[0\]\.parameters \(not set\): the component document .*hello-linux\.yaml declares 'Greeting' without a default.*Give it in parameters, e\.g\. \{ Greeting: '\.\.\.' \}/);
  });

  test('a parameter the document does not declare is refused, naming those it does', () => {
    expect(() => hello({ parameters: { Greeting: 'hi', Greting: 'typo' } }))
      .toThrow(/invalid provisioners\[0\]\.parameters 'Greting': .*has no parameter of that name \(it declares 'Greeting', 'Target'\)/);
    expect(() => bind(RawComponentDocument.fromText(LINUX_DOC, { parameters: { X: '1' } }))).toThrow(/it declares no parameters/);
  });

  test('credentials in parameter values are refused', () => {
    expect(() => hello({ parameters: { Greeting: EXAMPLE_ACCESS_KEY_ID } }))
      .toThrow(/provisioners\[0\]\.parameters\.Greeting '\(value withheld\)': the variable holds an AWS access key id/);
  });
});

describe('Provisioner.fromComponentDocumentFile / Object', () => {
  test('a YAML error in a file names the file and the line', () => {
    expect(() => bind(RawComponentDocument.fromFile(BROKEN)))
      .toThrow(new RegExp(`the component document ${BROKEN.replace(/[.+]/g, '\\$&')} is not valid YAML at line 11, column \\d+`));
  });

  test('a missing file names the prop and the path', () => {
    const missing = path.join(FIXTURES, 'documents', 'missing.yaml');
    expect(() => bind(RawComponentDocument.fromFile(missing))).toThrow(`expected a local file at ${missing}, found nothing`);
  });

  test('an object is copied when given: later changes do not reach the image', () => {
    const object: any = parseComponentDocumentYaml(LINUX_DOC);
    const kind = RawComponentDocument.fromObject(object);
    object.phases[0].steps[0].inputs.commands.push('rm -rf /');
    const { bound } = bind(kind);
    expect((bound.document!(() => '') as any).phases[0].steps[0].inputs.commands).toEqual(['dnf install -y httpd']);
  });

  test('an object that is not a document is refused', () => {
    expect(() => bind(RawComponentDocument.fromObject([] as any))).toThrow(/a component document is a map with schemaVersion and phases/);
    expect(() => bind(RawComponentDocument.fromObject({ schemaVersion: '1.0' }))).toThrow(/not a valid AWSTOE document/);
  });

  test('credentials in an object are refused', () => {
    const object: any = parseComponentDocumentYaml(LINUX_DOC);
    object.phases[0].steps[0].inputs.commands.push(`echo ${EXAMPLE_ACCESS_KEY_ID}`);
    expect(() => bind(RawComponentDocument.fromObject(object))).toThrow(/contains an AWS access key id/);
  });
});

/** The real AWSTOE documents of the shared corpus: what binds, and how the others fail. */
const corpusPresent = fs.existsSync(CORPUS);
if (!corpusPresent) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the corpus tests of raw-document.test.ts: ${CORPUS} is absent`);
}
(corpusPresent ? describe : describe.skip)('corpus component documents', () => {
  const file = (name: string) => path.join(CORPUS, name);
  const VALID: Array<[string, OsFamily, string]> = [
    ['aws+aws-parallelcluster__cli__src__pcluster__resources__imagebuilder__update_and_reboot.yaml', OsFamily.LINUX, 'UpdateAndReboot'],
    ['aws-samples+amazon-ec2-image-builder-samples__CDK__Linux__hello-world__example-component__hello-world-component.yaml', OsFamily.LINUX, 'AWS-EC2-ImageBuilder-Hello-world'],
    ['aws-samples+amazon-ec2-image-builder-samples__Components__Linux__ansible-playbook-execution-amazon-linux-2__component.yml', OsFamily.LINUX, 'Ansible-Playbook-Execution-on-Amazon-Linux-2'],
    ['aws-samples+amazon-ec2-image-builder-samples__Components__Linux__wordpress-recipes-linux__install_wordpress_with_db.yml', OsFamily.LINUX, 'InstallWordPressWithDb'],
    ['aws-samples+amazon-ec2-image-builder-samples__Components__Windows__create-local-user__create-local-user.yaml', OsFamily.WINDOWS, 'LocalUser'],
    ['aws-samples+amazon-ec2-image-builder-samples__Components__Windows__configure-wsus-server__configure-wsus-server.yaml', OsFamily.WINDOWS, 'WsusConfiguration'],
    ['awsdocs+ec2-image-builder-user-guide__doc_source__toe-action-modules.md__example-ExitCode3010Example.yaml', OsFamily.WINDOWS, 'ExitCode3010Example'],
    ['awsdocs+ec2-image-builder-user-guide__doc_source__toe-user-defined-variables.md__example-PingHosts.yaml', OsFamily.LINUX, 'PingHosts'],
  ];

  test.each(VALID)('%s binds on %s as %s', (name, osFamily, componentName) => {
    const { bound } = bind(RawComponentDocument.fromFile(file(name)), { osFamily });
    expect(bound).toMatchObject({ name: componentName, platform: osFamily });
    expect(bound.document!(() => '')).toEqual(parseComponentDocumentYaml(fs.readFileSync(file(name), 'utf8')));
    const other = osFamily === OsFamily.LINUX ? OsFamily.WINDOWS : OsFamily.LINUX;
    expect(() => bind(RawComponentDocument.fromFile(file(name)), { osFamily: other })).toThrow(new RegExp(`runs only on ${osFamily} and the parent image is ${other}`));
  });

  test('a document of actions both platforms run binds on either', () => {
    const name = 'awsdocs+ec2-image-builder-user-guide__doc_source__toe-user-defined-variables.md__example-DownloadAWSCLIv2-constants.yaml';
    expect(bind(RawComponentDocument.fromFile(file(name)), { osFamily: OsFamily.LINUX }).bound.platform).toBe(OsFamily.LINUX);
    expect(bind(RawComponentDocument.fromFile(file(name)), { osFamily: OsFamily.WINDOWS }).bound.platform).toBe(OsFamily.WINDOWS);
  });

  test('a document with a stray quote fails at its line', () => {
    expect(() => bind(RawComponentDocument.fromFile(file('aws-samples+amazon-ec2-image-builder-samples__Components__Windows__chef-recipe-execution-windows__component.yml')),
      { osFamily: OsFamily.WINDOWS })).toThrow(/is not valid YAML at line 50, column \d+.*\n {2}50 \| .*'\{\{build\.RecipeDestination\.outputs\.stdout\}\}'"/);
  });

  test('a CloudFormation template is not a component document', () => {
    expect(() => bind(RawComponentDocument.fromFile(file('aws-samples+amazon-ec2-image-builder-samples__CloudFormation__Windows__cascading-images-with-dotnet-web-application__windows-dotnet-application-stack.yml')),
      { osFamily: OsFamily.WINDOWS })).toThrow(/is not valid YAML at line 55, column 22: Unresolved tag: !Not/);
  });

  test('an Ansible playbook is not a component document', () => {
    expect(() => bind(RawComponentDocument.fromFile(file('aws-samples+amazon-ec2-image-builder-samples__Components__Linux__ansible-playbook-execution-amazon-linux-2__playbook.yml'))))
      .toThrow(/is not a valid AWSTOE document \(1 problem\)[^]*\n {2}- the document must be a mapping with schemaVersion and phases, but it is a list/);
  });
});
