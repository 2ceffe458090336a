import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO } from './packed-library';

/**
 * The compiled library (lib/, as the package ships it, rewritten by tools/lazy-requires after
 * jsii) loads a module only when the app first uses something from it: an app that only bakes
 * an image never loads the deployment's, the pipeline's or the release controller's code, nor
 * aws-cdk-lib's EC2, load balancing, Auto Scaling or Lambda modules.
 */
const LIB = path.join(REPO, 'lib');

/** Runs `body` in a fresh Node process with `lib` bound to the compiled library; returns its JSON output. */
function inFreshProcess(body: string): any {
  const script = `
    const loaded = () => Object.keys(require.cache);
    const ours = () => loaded().filter(f => f.startsWith(${JSON.stringify(LIB + path.sep)})).map(f => f.slice(${LIB.length + 1}));
    const lib = require(${JSON.stringify(LIB)});
    ${body}`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8', env: { ...process.env, CDK_VALIDATION: 'false' } }));
}

describe('the compiled library loads lazily', () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(LIB, 'index.js'))) {
      throw new Error('lib/index.js is missing: run `npx projen compile` (or `npm test`) first');
    }
  });

  test('loading the index loads no construct', () => {
    expect(inFreshProcess('process.stdout.write(JSON.stringify(ours()));')).toEqual(['index.js']);
  });

  test('a bake-only app loads none of the deployment, pipeline or handler code', () => {
    const result = inFreshProcess(`
      const { App, Stack } = require('aws-cdk-lib');
      const app = new App({ outdir: require('fs').mkdtempSync(require('path').join(require('os').tmpdir(), 'lazy-')) });
      const stack = new Stack(app, 'Bake', { env: { account: '123456789012', region: 'eu-west-1' } });
      new lib.GoldenImage(stack, 'Web', {
        parentImage: lib.ParentImage.amazonLinux2023(),
        provisioners: [lib.Provisioner.shell({ name: 'nginx', commands: ['dnf install -y nginx'] })],
      });
      const template = app.synth().getStackByName('Bake').template;
      process.stdout.write(JSON.stringify({
        ours: ours(),
        cdk: loaded().map(f => /aws-cdk-lib\\/(aws-[a-z0-9-]+)\\//.exec(f)?.[1]).filter(Boolean),
        images: Object.values(template.Resources).filter(r => r.Type === 'AWS::ImageBuilder::Image').length,
      }));`);
    expect(result.images).toBe(1);
    expect(result.ours).toContain('image/golden-image.js');
    expect(result.ours.filter((f: string) => /^(deployment|pipeline|handlers|snapshot|cli)\//.test(f))).toEqual([]);
    // Nor the provisioner kinds it does not use (a shell step is all this image has).
    expect(result.ours.filter((f: string) => /^provisioning\/(vagrant-guest|chef-solo|puppet-apply|ansible-playbook|file-upload|powershell)\.js$/.test(f))).toEqual([]);
    // Not even aws-cdk-lib's EC2 module: the EC2 values a bake needs are written out (src/private/ec2-values.ts).
    expect(new Set(result.cdk)).toEqual(new Set(['aws-iam', 'aws-imagebuilder']));
  });

  // Which names: test/quality/public-api.test.ts. Here: each one is still a class or an enum.
  test('every name the package exports still resolves to a class or an enum', () => {
    const result = inFreshProcess(`
      const names = Object.keys(lib);
      const missing = names.filter(n => typeof lib[n] !== 'function' && typeof lib[n] !== 'object');
      process.stdout.write(JSON.stringify({ names, missing, deployment: ours().some(f => f.startsWith('deployment/')) }));`);
    expect(result.names).toEqual(expect.arrayContaining(['GoldenImage', 'ImmutableDeployment', 'ImagePipeline', 'Provisioner']));
    expect(result.missing).toEqual([]);
    expect(result.deployment).toBe(true);
  });
});
