import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { GoldenImage, ParentImage, Provisioner } from '../../../src';
import { readCloudAssembly } from '../../../src/cli/assembly/cloud-assembly';
import { findImage, listImages } from '../../../src/cli/assembly/image-lookup';
import { resolveIntrinsics } from '../../../src/cli/assembly/intrinsics';
import { planBake } from '../../../src/cli/bake-local/assembly/bake-plan';
import { synthesiseExampleApp } from '../../quality/example-app';

const example = synthesiseExampleApp();
const assembly = readCloudAssembly(example.assembly.directory);

const outdirs: string[] = [];
afterAll(() => outdirs.forEach(dir => fs.rmSync(dir, { recursive: true, force: true })));

/** A one-stack app with a GoldenImage, synthesised into a temporary folder. */
function synth(build: (stack: Stack) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bake-local-plan-'));
  outdirs.push(outdir);
  const app = new App({ outdir, builtinCloudFormationValidation: false } as never);
  build(new Stack(app, 'Plan'));
  app.synth();
  return outdir;
}

describe('finding the image', () => {
  test('by construct path, by id when unique, by logical id; every recipe is listed', () => {
    expect(listImages(assembly).map(i => i.path)).toEqual(['GoldenWebDebian/WebImage', 'GoldenWebDebian/VagrantImage', 'GoldenWebAl2023/WebImage', 'GoldenContainer/AppImage']);
    expect(findImage(assembly, 'GoldenWebDebian/WebImage').stack.id).toBe('GoldenWebDebian');
    expect(findImage(assembly, '/GoldenWebAl2023/WebImage/').stack.id).toBe('GoldenWebAl2023');
    const recipe = findImage(assembly, 'GoldenWebDebian/WebImage').recipeLogicalId;
    expect(findImage(assembly, `GoldenWebDebian/${recipe}`).path).toBe('GoldenWebDebian/WebImage');
    // Both stacks have a recipe of that logical id.
    expect(() => findImage(assembly, recipe)).toThrow(`--image ${recipe} is ambiguous`);
  });

  test('an ambiguous id, an unknown image or a missing --image name the choices', () => {
    expect(() => findImage(assembly, 'WebImage')).toThrow('--image WebImage is ambiguous: GoldenWebDebian/WebImage, GoldenWebAl2023/WebImage all match; pass the full construct path');
    expect(() => findImage(assembly, 'Nope')).toThrow(/^--image Nope: no such image in .*; the images are GoldenWebDebian\/WebImage, GoldenWebDebian\/VagrantImage, GoldenWebAl2023\/WebImage, GoldenContainer\/AppImage$/);
    expect(() => findImage(assembly, undefined)).toThrow(/^--image is needed: .* holds 4 images/);
  });

  test('a folder without a cloud assembly is bad input naming the fix', () => {
    expect(() => readCloudAssembly('/nonexistent/cdk.out')).toThrow('--app /nonexistent/cdk.out: not a cloud assembly (/nonexistent/cdk.out does not exist). Run \'npx cdk synth\' first, or pass the folder it writes to (cdk.out)');
  });
});

describe('the example\'s container image', () => {
  const found = findImage(assembly, 'GoldenContainer/AppImage');
  const plan = planBake(assembly, found);

  test('its container recipe\'s components in order, its Docker Hub parent, and a note on what a local bake leaves out', () => {
    expect(found.recipe.Type).toBe('AWS::ImageBuilder::ContainerRecipe');
    expect(found.image?.Type).toBe('AWS::ImageBuilder::Image');
    expect(plan.components.map(c => c.label)).toEqual(['update-os-1', 'install-runtime', 'harden', 'no-setuid', 'tini-runs']);
    expect(plan.parentImage).toBe('debian:bookworm-slim');
    expect(plan).toMatchObject({ workingDirectory: '/tmp', keepSsmAgent: false, testsEnabled: true, skipped: [] });
    expect(plan.notes).toEqual([expect.stringMatching(/^a container image: its steps run on a root of the parent's release.*USER, ENV, ENTRYPOINT/)]);
  });
});

describe('the example\'s Debian image', () => {
  const plan = planBake(assembly, findImage(assembly, 'GoldenWebDebian/WebImage'));

  test('its components in recipe order, each document parsed, and the recipe\'s settings', () => {
    expect(plan.components.map(c => c.label)).toEqual(['update-os-1', 'install-nginx', 'site', 'harden-ssh', 'reboot-1', 'nginx-config', 'serves-site', 'ssm-agent-enabled']);
    expect(plan.parentImage).toBe('ssm:/aws/service/debian/release/12/latest/amd64');
    expect(plan).toMatchObject({ workingDirectory: '/tmp', keepSsmAgent: true, testsEnabled: true, skipped: [], notes: [] });
    expect(plan.components[1].document.phases[0].steps[0].inputs).toEqual({
      commands: ['set -e', 'export DEBIAN_FRONTEND=noninteractive', 'apt-get update', 'apt-get install -y nginx curl', 'systemctl enable nginx'],
    });
  });

  test('the site folder\'s S3 location in the document is one of the staged assets', () => {
    const site = plan.components.find(c => c.label === 'site')!;
    const download = site.document.phases[0].steps[0];
    const source = (download.inputs as Array<{ source: string }>)[0].source;
    expect(source).toMatch(/^s3:\/\/cdk-hnb659fds-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}\/[0-9a-f]{64}\.zip$/);
    expect(plan.assets[source]).toMatchObject({ packaging: 'zip' });
    expect(fs.readFileSync(path.join(plan.assets[source].source, 'index.html'), 'utf-8')).toContain('Served from a golden image');
  });
});

describe('what cannot be baked here is found before anything runs', () => {
  test('an AWS-managed component has no document in the assembly: --skip leaves it out', () => {
    const outdir = synth(stack => new GoldenImage(stack, 'Image', {
      parentImage: ParentImage.debian({ release: '12' }),
      provisioners: [Provisioner.awsManaged('aws-cli-version-2-linux'), Provisioner.shell({ name: 'hello', commands: ['echo hi'] })],
    }));
    const found = findImage(readCloudAssembly(outdir), 'Plan/Image');
    expect(() => planBake(readCloudAssembly(outdir), found)).toThrow(/component 'aws-cli-version-2-linux' is not in the cloud assembly \(it is an AWS-managed component, arn:\$\{AWS::Partition\}:imagebuilder:\$\{AWS::Region\}:aws:component\/aws-cli-version-2-linux\/x\.x\.x\), so its document cannot be read here\. Pass --skip aws-cli-version-2-linux to bake without it$/);
    const plan = planBake(readCloudAssembly(outdir), found, { skip: ['aws-cli-version-2-linux'] });
    expect(plan.skipped).toEqual([{ label: 'aws-cli-version-2-linux', reason: 'left out with --skip' }]);
    expect(() => planBake(readCloudAssembly(outdir), found, { skip: ['nope'] })).toThrow(/^--skip nope: Plan\/Image has no component of that name; its components are aws-cli-version-2-linux, hello, ssm-agent-enabled$/);
  });

  test('an action bake-local cannot run (WebDownload) fails the plan with the step and the reason', () => {
    const outdir = synth(stack => new GoldenImage(stack, 'Image', {
      parentImage: ParentImage.debian({ release: '12' }),
      provisioners: [Provisioner.fromComponentDocumentObject(
        { schemaVersion: '1.0', phases: [{ name: 'build', steps: [{ name: 'get', action: 'WebDownload', inputs: [{ source: 'https://example.com/x', destination: '/tmp/x' }] }] }] },
        { name: 'fetch' },
      )],
    }));
    const found = findImage(readCloudAssembly(outdir), 'Image');
    expect(() => planBake(readCloudAssembly(outdir), found)).toThrow(/\(component 'fetch'\): bake-local cannot run build\.get \(WebDownload\): bake-local makes no promise of network access/);
  });

  test('a raw recipe whose component refers to a deploy-time value says which', () => {
    const outdir = synth(stack => {
      const component = new imagebuilder.CfnComponent(stack, 'Component', {
        name: 'raw',
        version: '1.0.0',
        platform: 'Linux',
        data: 'replaced below by a document that refers to a deployed resource',
      });
      component.addPropertyOverride('Data', { 'Fn::Join': ['', ['x', { 'Fn::GetAtt': ['Bucket', 'Arn'] }]] });
      new imagebuilder.CfnImageRecipe(stack, 'Recipe', { name: 'raw', version: '1.0.0', parentImage: 'ami-0123456789abcdef0', components: [{ componentArn: component.attrArn }] });
    });
    const found = findImage(readCloudAssembly(outdir), 'Plan');
    expect(() => planBake(readCloudAssembly(outdir), found)).toThrow(/its document \(Data\) refers to the attribute Bucket\.Arn \(Fn::GetAtt\), known only when the stack is deployed: bake-local cannot run it$/);
  });
});

test('intrinsics: joins, subs, selects, pseudo parameters kept as text, parameters with defaults', () => {
  const context = { parameters: { Env: { Default: 'prod' }, NoDefault: {} } };
  expect(resolveIntrinsics({ 'Fn::Join': ['-', ['a', { Ref: 'Env' }, { Ref: 'AWS::Region' }]] }, context)).toBe('a-prod-${AWS::Region}');
  expect(resolveIntrinsics({ 'Fn::Sub': ['${A}/${Env}/${!Literal}/${AWS::AccountId}', { A: 'x' }] }, context)).toBe('x/prod/${Literal}/${AWS::AccountId}');
  expect(resolveIntrinsics({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] })).toBe('b');
  expect(() => resolveIntrinsics({ Ref: 'NoDefault' }, context)).toThrow('the template parameter NoDefault, which has no default');
  expect(() => resolveIntrinsics({ 'Fn::If': ['c', 'a', 'b'] })).toThrow('Fn::If, which is evaluated only during deployment');
});
