import * as fs from 'fs';
import * as path from 'path';
import { embeddedComponents, parseCloudFormationTemplate } from './cloudformation-template';
import { ToeDocument, ToePlatform } from '../../../src/provisioning/toe/component-document';
import { ComponentDocumentError, parseComponentDocumentYaml } from '../../../src/provisioning/toe/parse';
import { renderComponentDocument } from '../../../src/provisioning/toe/render';
import { documentPlatforms, validateComponentDocument } from '../../../src/provisioning/toe/validate';

/**
 * Real AWSTOE documents (AWS samples, the AWSTOE user guide, AWS ParallelCluster), described
 * in shared/corpus/SOURCES.md. Every one must parse, validate and render back unchanged.
 */
const CORPUS = path.resolve(__dirname, '../../../../shared/corpus/toe');
const corpusPresent = fs.existsSync(CORPUS);
if (!corpusPresent) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the AWSTOE corpus tests: ${CORPUS} does not exist (it sits beside the repository, in shared/corpus/toe).`);
}
const describeCorpus = corpusPresent ? describe : describe.skip;
const files = corpusPresent ? fs.readdirSync(CORPUS).sort() : [];

/** What is known about a file, by the end of its name. */
interface Expectation {
  /** The platforms its actions allow. */
  readonly platforms?: ToePlatform[];
  /** Findings expected from the upstream file as it is. */
  readonly findings?: string[];
  /** Not a component document at all. */
  readonly skip?: string;
  /** Not valid YAML upstream: the line of the error. */
  readonly invalidAtLine?: number;
  /** A CloudFormation template whose AWS::ImageBuilder::Component resources embed documents. */
  readonly cloudFormation?: boolean;
}

const EXPECTATIONS: Record<string, Expectation> = {
  'update_and_reboot.yaml': { platforms: ['Linux'] },
  'hello-world-component.yaml': { platforms: ['Linux'] },
  'ansible-playbook-execution-amazon-linux-2__component.yml': { platforms: ['Linux'] },
  // The Ansible playbook that the component above downloads and runs: a payload, not a TOE document.
  'ansible-playbook-execution-amazon-linux-2__playbook.yml': { skip: 'an Ansible playbook, not an AWSTOE document' },
  'inspec-test-linux-component.yml': {
    platforms: ['Linux'],
    // Upstream passes `force` to DeleteFile, which documents only `path` (DeleteFolder takes force).
    findings: ["warning: phases[0].steps[10].inputs[0].force is not an input of DeleteFile: AWSTOE documents only 'path' for it, "
      + "so remove 'force' or move it to the action that takes it"],
  },
  'test_component.yml': { platforms: ['Linux'] },
  'install_wordpress_with_db.yml': { platforms: ['Linux'] },
  // Upstream has a stray double quote after the quoted path on the last line.
  'chef-recipe-execution-windows__component.yml': { invalidAtLine: 50 },
  'configure-wsus-server.yaml': { platforms: ['Windows'] },
  'create-local-user.yaml': { platforms: ['Windows'] },
  'inspec-test-windows-component.yml': { platforms: ['Windows'] },
  'windows-dotnet-application-stack.yml': { cloudFormation: true },
  'sample_component.yaml': { platforms: ['Linux'] },
  'ExitCode194Example.yaml': { platforms: ['Linux'] },
  'ExitCode3010Example.yaml': { platforms: ['Windows'] },
  'LinuxBin.yaml': { platforms: ['Linux'] },
  'RunConfig_UpdateWindows.yaml': { platforms: ['Windows'] },
  'PingHosts.yaml': { platforms: ['Linux'] },
  'DownloadAWSCLIv2-constants.yaml': { platforms: ['Linux', 'Windows'] },
};

function expectationFor(file: string): Expectation {
  const key = Object.keys(EXPECTATIONS).find(suffix => file.endsWith(suffix));
  return key ? EXPECTATIONS[key] : {};
}

function read(file: string): string {
  return fs.readFileSync(path.join(CORPUS, file), 'utf8');
}

/** Validates a document for each platform it can run on, and checks that it renders back unchanged. */
function checkDocument(doc: unknown, expectation: Expectation): void {
  const findings = validateComponentDocument(doc).map(f => `${f.severity}: ${f.message}`);
  expect(findings).toEqual(expectation.findings ?? []);
  const platforms = documentPlatforms(doc as ToeDocument);
  if (expectation.platforms) {
    expect(platforms).toEqual(expectation.platforms);
  }
  for (const platform of platforms) {
    expect(validateComponentDocument(doc, { platform }).map(f => `${f.severity}: ${f.message}`)).toEqual(expectation.findings ?? []);
  }
  const rendered = renderComponentDocument(doc as ToeDocument);
  expect(parseComponentDocumentYaml(rendered, 'rendered')).toEqual(doc);
  expect(renderComponentDocument(parseComponentDocumentYaml(rendered) as ToeDocument)).toBe(rendered);
}

describeCorpus('AWSTOE corpus', () => {
  test('the corpus has documents', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  for (const file of files.filter(f => expectationFor(f).skip)) {
    test.skip(`${file} (${expectationFor(file).skip})`, () => undefined);
  }

  test.each(files.filter(f => !expectationFor(f).skip))('%s', file => {
    const expectation = expectationFor(file);
    if (expectation.invalidAtLine !== undefined) {
      let error: unknown;
      try {
        parseComponentDocumentYaml(read(file), file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ComponentDocumentError);
      expect((error as ComponentDocumentError).line).toBe(expectation.invalidAtLine);
      expect((error as ComponentDocumentError).message).toContain(`${file} is not valid YAML at line ${expectation.invalidAtLine}`);
      return;
    }
    if (expectation.cloudFormation) {
      const components = embeddedComponents(parseCloudFormationTemplate(read(file), file));
      expect(components.map(c => c.logicalId)).toEqual(['NSSMInstallationComponent', 'WebsiteInstallationComponent']);
      for (const component of components) {
        const doc = parseComponentDocumentYaml(component.data, `${file}#${component.logicalId}`);
        checkDocument(doc, { platforms: [component.platform as ToePlatform] });
        expect(validateComponentDocument(doc, { platform: component.platform as ToePlatform })).toEqual([]);
      }
      return;
    }
    checkDocument(parseComponentDocumentYaml(read(file), file), expectation);
  });
});
