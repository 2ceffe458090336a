import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { TrafficShift } from '../../../src';
import { runCli } from '../../../src/cli/core/program';
import { planCommand } from '../../../src/cli/plan/command';
import { buildReviewApp, ReviewAppOptions, siteFolder, temporaryRoot } from '../../snapshot/review-app';

/*
 * `plan` on pairs of synthesised apps in the example's shape that differ in one input each: what
 * re-bakes and why, what releases and why, on what schedule, and what else changes.
 */

interface PlanRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function runPlan(root: string, args: string[]): Promise<PlanRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['plan', ...args], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    cwd: root,
  }, [planCommand]);
  return { code, stdout, stderr };
}

describe('cdk-immutable-infra plan', () => {
  let root: string;
  let base: ReviewAppOptions;
  let counter = 0;

  /** Synthesises the base app changed by `change` into a new cloud assembly; returns its folder. */
  function synth(change: Partial<ReviewAppOptions> = {}): string {
    const outdir = path.join(root, `app-${++counter}`);
    buildReviewApp({ ...base, ...change }, outdir).app.synth();
    return outdir;
  }

  /** `plan --base <base app> --app <changed app>`. */
  async function planChange(change: Partial<ReviewAppOptions>, ...args: string[]): Promise<PlanRun> {
    return runPlan(root, ['--base', baseDir, '--app', synth(change), ...args]);
  }

  let baseDir: string;
  beforeAll(() => {
    root = temporaryRoot('plan-');
    base = { site: siteFolder(root, 'site') };
    baseDir = synth();
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('no change: every stack says no re-bake, no release; --fail-on release passes', async () => {
    const run = await runPlan(root, ['--base', baseDir, '--app', synth(), '--fail-on', 'release']);
    expect(run).toEqual({
      code: 0,
      stdout: 'Review: no change: no re-bake, no release\nReviewReplica: no change: no re-bake, no release\n\nNo re-bake, no release.\n',
      stderr: '',
    });
  });

  test('a provisioner\'s command: re-bakes with the document\'s diff, releases both deployments', async () => {
    const run = await planChange({ installCommands: ['apt-get update', 'apt-get install -y nginx-light'] });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Review: re-bakes 1 image, releases 1 new generation\n {2}Re-bakes Review\/WebImage \(recipe 1\.0\.\d+ -> 1\.0\.\d+\)\n {4}- component install-nginx 1\.0\.\d+ -> 1\.0\.\d+\n/);
    expect(run.stdout).toContain('        -            - apt-get install -y nginx\n        +            - apt-get install -y nginx-light\n');
    expect(run.stdout).toMatch(/ {2}Releases Review\/Web \(generation [0-9a-f]{8} -> [0-9a-f]{8}\)\n {4}- image: Review\/WebImage re-bakes\n/);
    // The other region's deployment reads the bake's AMI id from an SSM parameter named by the image key.
    expect(run.stdout).toMatch(/ReviewReplica: no re-bake, releases 1 new generation\n.*\n {4}- image: SSM parameter \/imagebuilder\/cdk-immutable-infra\/review-webimage-[0-9a-f]+\/\{[0-9a-f]{16} -> [0-9a-f]{16}\}\n/);
    expect(run.stdout).toMatch(/WebImageComponentinstallnginx[0-9A-F]{8} \(AWS::ImageBuilder::Component\) Review\/WebImage\/Component-install-nginx\/Resource: Data, Version/);
    expect(run.stdout).toContain('1 re-bake (Review/WebImage), 2 releases (Review/Web, ReviewReplica/Web).');
  });

  test('a site file: the asset\'s changed and added files', async () => {
    const run = await planChange({ site: siteFolder(root, 'site-edited', { 'index.html': '<h1>Served from a golden AMI</h1>\n', 'css/site.css': 'h1 {}\n' }) });
    expect(run.stdout).toMatch(/- component site 1\.0\.\d+ -> 1\.0\.\d+\n {8}asset s3:\/\/\S+\.zip: changed index\.html; added css\/site\.css\n/);
  });

  test('the parent image and the root volume', async () => {
    const run = await planChange({ debianRelease: '11', rootVolumeGiB: 20 });
    expect(run.stdout).toContain('    - parent image: ssm:/aws/service/debian/release/12/latest/amd64 -> ssm:/aws/service/debian/release/11/latest/amd64\n');
    expect(run.stdout).toMatch(/ {4}- root volume: \[.*"DeviceName":"\/dev\/xvda".*\] -> \[.*"VolumeSize":20.*\]\n/);
  });

  test('an instance type: no re-bake, a release; --fail-on release exits 1, --fail-on rebake 0', async () => {
    const app = synth({ instanceType: 't3.medium' });
    const release = await runPlan(root, ['--base', baseDir, '--app', app, '--fail-on', 'release']);
    expect(release.stdout).toMatch(/^Review: no re-bake, releases 1 new generation\n {2}Releases Review\/Web \(generation \w+ -> \w+\)\n {4}- instance type: t3\.small -> t3\.medium\n/);
    expect(release.code).toBe(1);
    expect(release.stderr).toBe('plan: --fail-on release: the change releases 2 new generation(s)\n');
    expect((await runPlan(root, ['--base', baseDir, '--app', app, '--fail-on', 'rebake'])).code).toBe(0);
  });

  test('user data: a release with the user data\'s diff', async () => {
    const run = await planChange({ userData: ['systemctl restart nginx'] });
    expect(run.stdout).toContain('    - user data changed\n        --- user data (generation');
    expect(run.stdout).toContain('         #!/bin/bash\n        +systemctl restart nginx\n');
  });

  test('a security group: a release naming the groups, before and after', async () => {
    const run = await planChange({ ownSecurityGroup: true });
    expect(run.stdout).toMatch(/ {2}Releases Review\/Web \(generation \w+ -> \w+\)\n {4}- security groups: \[\{"Fn::GetAtt":\["WebInstanceSecurityGroup[0-9A-F]{8}","GroupId"\]\}\] -> \[\{"Fn::GetAtt":\["WebServers[0-9A-F]{8}","GroupId"\]\}\]\n/);
  });

  test('capacity: updated in place, no re-bake, no release', async () => {
    const run = await planChange({ maxCapacity: 8 }, '--fail-on', 'release');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Review: no re-bake, no release; \d+ resources? change/);
    expect(run.stdout).toMatch(/Updated in place \(\d\):\n(.*\n)*? {4}WebRelease[0-9A-F]{8} \(Custom::ImmutableRelease\) Review\/Web\/Release\/Default: MaxCapacity\n/);
    expect(run.stdout).toMatch(/WebGeneration[0-9a-f]{8}GroupASG[0-9A-F]{8} \(AWS::AutoScaling::AutoScalingGroup\) \S+: MaxSize/);
    expect(run.stdout).toContain('No re-bake, no release.');
  });

  test('the release schedule: steps, phases and the total against the one-hour limit', async () => {
    const canary = await planChange({ instanceType: 't3.large' });
    expect(canary.stdout).toContain('    canary: 10 % at +0 s, 100 % at +5 min (after the new generation is healthy)\n'
      + '    up to 10 min to become healthy + 5 min shifting + 10 min bake + 1 min drain + 5 min margin = 31 min of the 60 min limit\n');
    const linear = await planChange({ instanceType: 't3.large', trafficShift: TrafficShift.linear({ percent: 25, interval: Duration.minutes(3) }), bakeMinutes: 15 });
    expect(linear.stdout).toContain('    linear: 25 % at +0 s, 50 % at +3 min, 75 % at +6 min, 100 % at +9 min (after the new generation is healthy)\n'
      + '    up to 10 min to become healthy + 9 min shifting + 15 min bake + 1 min drain + 5 min margin = 40 min of the 60 min limit\n');
  });

  test('--json: the same plan for CI', async () => {
    const run = await planChange({ installCommands: ['apt-get install -y nginx-full'] }, '--json');
    const plan = JSON.parse(run.stdout);
    expect(plan).toMatchObject({ rebakes: 1, releases: 2 });
    const [review] = plan.stacks;
    expect(review.rebakes[0].reasons[0]).toMatchObject({ kind: 'component', diff: expect.stringContaining('+            - apt-get install -y nginx-full') });
    expect(review.releases[0].schedule).toMatchObject({ strategy: 'CANARY', totalSeconds: 1860, limitSeconds: 3600, steps: [{ percent: 10, atSeconds: 0 }, { percent: 100, atSeconds: 300 }] });
  });

  test('a folder of templates as the base: plans without the assets\' files', async () => {
    const templates = path.join(root, 'templates');
    fs.mkdirSync(templates);
    for (const file of fs.readdirSync(baseDir).filter(f => f.endsWith('.template.json'))) {
      fs.copyFileSync(path.join(baseDir, file), path.join(templates, file));
    }
    const run = await runPlan(root, ['--base', 'templates', '--app', synth({ site: siteFolder(root, 'site-3', { 'index.html': 'x' }) })]);
    expect(run.stdout).toMatch(/asset s3:\/\/\S+: the base does not stage it\n/);
  });

  test('bad input exits 2 with the flag and the fix', async () => {
    const missing = await runPlan(root, ['--base', 'nowhere', '--app', baseDir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--base nowhere: not a cloud assembly');
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    expect((await runPlan(root, ['--base', 'empty', '--app', baseDir])).stderr).toContain('--base empty: neither a cloud assembly (no manifest.json) nor a folder of *.template.json files');
    const badFlag = await runPlan(root, ['--base', baseDir, '--fail-on', 'deploy']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--fail-on.*deploy.*release, rebake/);
  });
});
