import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp } from '../../examples/golden-web';
import { SnapshotTemplate } from '../../src';

// Snapshots fail on any change of what the stacks deploy: update them on purpose with
// `npx projen test:update` and review the diff. They go through SnapshotTemplate, so a new
// build of the library's handler bundles or a new asset hash alone does not change them;
// test/quality/determinism.test.ts holds the templates byte-identical run to run.
describe('example app', () => {
  const app = new App();
  const stacks = buildExampleApp(app);

  test.each(stacks.map(s => [s.stackName, s] as const))('%s matches its snapshot', (_name, stack) => {
    expect(SnapshotTemplate.of(stack)).toMatchSnapshot();
  });

  test('the Debian image is baked from the official Debian 12 parameter with the classic steps', () => {
    const template = Template.fromStack(stacks[0]);
    const recipes = template.findResources('AWS::ImageBuilder::ImageRecipe');
    const recipe = Object.values(recipes)[0] as any;
    expect(recipe.Properties.ParentImage).toBe('ssm:/aws/service/debian/release/12/latest/amd64');
    const names = Object.values(template.findResources('AWS::ImageBuilder::Component')).map((c: any) => c.Properties.Name as string);
    for (const step of ['update-os-1', 'install-nginx', 'site', 'harden-ssh', 'reboot-1', 'nginx-config', 'serves-site']) {
      expect(names.some(n => n.endsWith(step))).toBe(true);
    }
  });
});
