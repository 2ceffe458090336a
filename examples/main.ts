import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from './golden-web';

/**
 * Synthesises the example app into cdk.out/ without AWS credentials and prints what it made.
 * `npx cdk deploy --app cdk.out` deploys it.
 */
const outdir = path.join(__dirname, '..', 'cdk.out');
const app = new App({ outdir });
const stacks = buildExampleApp(app);
const assembly = app.synth();

console.log(`Synthesised ${stacks.length} stacks into ${path.relative(process.cwd(), outdir) || outdir}/`);
for (const stack of stacks) {
  const template = assembly.getStackByName(stack.stackName).template as { Resources?: Record<string, { Type: string }> };
  const resources = Object.values(template.Resources ?? {});
  const count = (type: string) => resources.filter(r => r.Type === type).length;
  console.log([
    `  ${stack.stackName}:`,
    `${count('AWS::ImageBuilder::Image')} image(s),`,
    `${count('AWS::ImageBuilder::Component')} component(s),`,
    `${count('AWS::ImageBuilder::ImagePipeline')} pipeline(s),`,
    `${count('Custom::ImmutableRelease')} deployment(s),`,
    `${resources.length} resources`,
  ].join(' '));
}
