import * as fs from 'fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { buildReviewApp, ReviewApp, ReviewAppOptions, siteFolder, temporaryRoot } from './review-app';
import { DeploymentImage, GoldenImage, ImageWorkflow, ImmutableDeployment, ParentImage, Provisioner, SnapshotTemplate, SnapshotTemplateOptions } from '../../src';
import * as serializer from '../../src/snapshot/jest-serializer';

/**
 * Lines as a snapshot holds them (multi-line strings as lines), trimmed and without trailing
 * commas, so that a line diff reads as a snapshot diff.
 */
function print(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\\n/g, '\n').split('\n').map(l => l.trim().replace(/,$/, '')).join('\n');
}

/** Every stack of the app, raw and as the snapshot shows it. */
function render(app: ReviewApp, options?: SnapshotTemplateOptions) {
  return [app.image, app.replica].map(stack => ({
    raw: print(Template.fromStack(stack).toJSON()),
    snapshot: print(SnapshotTemplate.of(stack, options)),
  }));
}

/** Lines only in `b` (a multiset difference: enough to name what changed). */
function addedLines(a: string, b: string): string[] {
  const left = a.split('\n');
  return b.split('\n').filter(line => {
    const at = left.indexOf(line);
    if (at >= 0) {
      left.splice(at, 1);
      return false;
    }
    return true;
  });
}

describe('SnapshotTemplate', () => {
  let root: string;
  let base: ReviewAppOptions;

  beforeAll(() => {
    root = temporaryRoot('snapshot-template-');
    base = { site: siteFolder(root, 'site') };
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('a site file with one word changed: the templates differ, the snapshots do not', () => {
    const before = render(buildReviewApp(base));
    const after = render(buildReviewApp({ site: siteFolder(root, 'site-edited', { 'index.html': '<h1>Served from a golden AMI</h1>\n' }) }));
    for (const [i, stack] of before.entries()) {
      // The edit reaches the templates: asset keys, temp file names, versions, image and generation keys.
      expect(addedLines(stack.raw, after[i].raw).length).toBeGreaterThan(5);
      expect(after[i].snapshot).toBe(stack.snapshot);
    }
    expect(before[0].snapshot).toContain('/tmp/site-ASSET_1.zip');
    expect(before[0].snapshot).not.toMatch(/[0-9a-f]{64}/);
  });

  test('a provisioner command changed: the snapshot names the component\'s new version', () => {
    const app = buildReviewApp({ ...base, installCommands: ['apt-get update', 'apt-get install -y nginx-light'] });
    const before = render(buildReviewApp(base));
    const after = render(app);
    const template = Template.fromStack(app.image);
    const component = Object.values(template.findResources('AWS::ImageBuilder::Component'))
      .find((c: any) => String(c.Properties.Name).endsWith('install-nginx')) as any;
    const added = addedLines(before[0].snapshot, after[0].snapshot);
    expect(added).toContain('- apt-get install -y nginx-light');
    expect(added).toContain(`"Version": "${component.Properties.Version}"`);
    // The recipe (fed by the site asset) shows a stand-in, and it moves too; so do the keys.
    expect(added.some(line => /"Version": "~1\.0\.\d+"/.test(line))).toBe(true);
    expect(after[1].snapshot).not.toBe(before[1].snapshot);
  });

  test('a deployment setting that keys generations (instance type) renames the generation', () => {
    const before = render(buildReviewApp(base));
    const after = render(buildReviewApp({ ...base, instanceType: 't3.medium' }));
    const added = addedLines(before[0].snapshot, after[0].snapshot);
    expect(added).toContain('"InstanceType": "t3.medium"');
    expect(added.some(line => /"Key": "[0-9a-f]{8}"/.test(line))).toBe(true);
  });

  test('user assets are numbered by first appearance; shipped bundles have fixed names', () => {
    const snapshot = render(buildReviewApp(base))[0].snapshot;
    expect(snapshot).toContain('"S3Key": "cdk-immutable-infra:release-controller/is-complete.zip"');
    expect(snapshot).toContain('"S3Key": "cdk-immutable-infra:release-controller/on-event.zip"');
    expect(snapshot).toMatch(/"S3Key": "aws-cdk-lib:[a-z/-]+\.zip"/);
    expect(snapshot).not.toContain('ASSET_2');
  });

  test('maskVersions hides versions and keys; noise options remove what they name', () => {
    const options: SnapshotTemplateOptions = { maskVersions: true, removeNagMetadata: true, removeBootstrapVersion: true };
    const masked = render(buildReviewApp(base), options);
    const other = render(buildReviewApp({ ...base, installCommands: ['apt-get install -y nginx-full'] }), options);
    const added = addedLines(masked[0].snapshot, other[0].snapshot);
    expect(added).toEqual(['- apt-get install -y nginx-full']);
    expect(masked[0].snapshot).toContain('"Version": "VERSION"');
    expect(masked[0].snapshot).toContain('WebGenerationgen1Group');
    expect(masked[1].snapshot).toContain('imagekey-1');
    for (const gone of ['cdk_nag', 'BootstrapVersion']) {
      expect(masked[0].snapshot).not.toContain(gone);
    }
  });

  test('the Jest serializer prints a stack as its snapshot template, and nothing else', () => {
    const app = buildReviewApp(base);
    const printed = serializer.serialize(app.image, {}, '', 0, [], value => JSON.stringify(value));
    expect(printed).toBe(JSON.stringify(SnapshotTemplate.of(app.image)));
    expect(serializer.test(app.image)).toBe(true);
    expect(serializer.test(Template.fromStack(app.image).toJSON())).toBe(false);
  });

  test('a workflow of the deploy-time build changed: the snapshot renames the generation, a site edit still does not', () => {
    const snapshot = (site: string, check: string) => {
      const app = new App();
      const stack = new Stack(app, 'Flows');
      const image = new GoldenImage(stack, 'Web', {
        parentImage: ParentImage.debian({ release: '12' }),
        provisioners: [Provisioner.file({ name: 'site', source: `${site}/`, destination: '/var/www/html/' })],
        workflows: [ImageWorkflow.testStage({ name: 'smoke', commands: [check] })],
      });
      const deployment = new ImmutableDeployment(stack, 'Fleet', {
        vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 }),
        image: DeploymentImage.fromGoldenImage(image),
        instanceType: new ec2.InstanceType('t3.small'),
        capacity: { min: 1, max: 2 },
        healthCheck: { path: '/' },
      });
      return { snapshot: print(SnapshotTemplate.of(stack)), generationKey: deployment.generationKey };
    };
    const before = snapshot(base.site, 'curl -fs localhost');
    const edited = snapshot(siteFolder(root, 'site-flows', { 'index.html': 'edited' }), 'curl -fs localhost');
    expect(edited.generationKey).not.toBe(before.generationKey);
    expect(edited.snapshot).toBe(before.snapshot);
    const changed = snapshot(base.site, 'curl -fs localhost/health');
    // A deploy rolls the new workflow out as a new generation: the snapshot must say so.
    expect(changed.generationKey).not.toBe(before.generationKey);
    const added = addedLines(before.snapshot, changed.snapshot);
    expect(added.some(line => /"Key": "[0-9a-f]{8}"/.test(line))).toBe(true);
  });

  test('an image baked from a golden parent that bakes in the site: the child is stable too, its own command still shows', () => {
    const snapshot = (site: string, command: string) => {
      const app = new App();
      const stack = new Stack(app, 'Layers');
      const parent = new GoldenImage(stack, 'Base', {
        parentImage: ParentImage.debian({ release: '12' }),
        provisioners: [Provisioner.file({ name: 'site', source: `${site}/`, destination: '/var/www/html/' })],
      });
      new GoldenImage(stack, 'App', { parentImage: ParentImage.fromGoldenImage(parent), provisioners: [Provisioner.shell({ name: 'app', commands: [command] })] });
      return print(SnapshotTemplate.of(stack));
    };
    const before = snapshot(base.site, 'echo one');
    expect(snapshot(siteFolder(root, 'site-layers', { 'index.html': 'changed' }), 'echo one')).toBe(before);
    const added = addedLines(before, snapshot(base.site, 'echo two'));
    expect(added).toContain('- echo two');
    expect(added.filter(line => line.startsWith('"Version"'))).toHaveLength(2);
  });
});
