import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/*
 * The README section "Images in other stacks, regions and accounts" promises snippets that run
 * as pasted: each TypeScript block is type-checked and run as written (its `cdk-immutable-infra`
 * import pointed at this source tree), and its cloud assembly read back.
 */

const ROOT = path.join(__dirname, '..', '..');
const SECTION = '## Images in other stacks, regions and accounts';

function snippets(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
  const start = readme.indexOf(SECTION);
  const end = readme.indexOf('\n## ', start + SECTION.length);
  return [...readme.slice(start, end).matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);
}

/** Each snippet as a file of its own scratch folder under .tmp/ (gitignored). */
function writeSnippets(): string[] {
  fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  return snippets().map(code => {
    const scratch = fs.mkdtempSync(path.join(ROOT, '.tmp', 'readme-'));
    const src = path.relative(scratch, path.join(ROOT, 'src')).split(path.sep).join('/');
    const file = path.join(scratch, 'snippet.ts');
    fs.writeFileSync(file, code.replace(/from 'cdk-immutable-infra'/g, `from '${src}'`));
    return file;
  });
}

/** Type errors in the files, checked with the project's own compiler options (one program). */
function typeErrors(files: string[]): string[] {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.dev.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const program = ts.createProgram(files, { ...options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).map(d =>
    `${d.file ? path.relative(ROOT, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

/** Runs a snippet file with its App writing next to it; returns the stacks' templates by name. */
function run(file: string): Record<string, any> {
  const outdir = path.join(path.dirname(file), 'cdk.out');
  const saved = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs the snippet file as a program
    jest.isolateModules(() => require(file));
  } finally {
    if (saved === undefined) {
      delete process.env.CDK_OUTDIR;
    } else {
      process.env.CDK_OUTDIR = saved;
    }
  }
  return Object.fromEntries(fs.readdirSync(outdir).filter(f => f.endsWith('.template.json'))
    .map(f => [f.replace('.template.json', ''), JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf-8'))]));
}

function resourcesOf(template: any, type: string): any[] {
  return Object.values<any>(template.Resources).filter(r => r.Type === type);
}

const files = writeSnippets();
afterAll(() => files.forEach(f => fs.rmSync(path.dirname(f), { recursive: true, force: true })));

test('the section has two snippets that import what they use and type-check', () => {
  expect(files).toHaveLength(2);
  for (const file of files) {
    expect(fs.readFileSync(file, 'utf-8')).toMatch(/^import \{ App, Stack \} from 'aws-cdk-lib';[\s\S]*app\.synth\(\);\n$/);
  }
  expect(typeErrors(files)).toEqual([]);
});

test('two regions: each deployment reads the parameter the distribution writes in its region', () => {
  const templates = run(files[0]);
  expect(Object.keys(templates).sort()).toEqual(['Images', 'Web-eu-west-1', 'Web-us-east-1']);
  const [distribution] = resourcesOf(templates.Images, 'AWS::ImageBuilder::DistributionConfiguration');
  const written = distribution.Properties.Distributions.map((d: any) => [d.Region, d.SsmParameterConfigurations?.map((p: any) => p.ParameterName)]);
  for (const region of ['eu-west-1', 'us-east-1']) {
    const [launchTemplate] = resourcesOf(templates[`Web-${region}`], 'AWS::EC2::LaunchTemplate');
    const name = /^\{\{resolve:ssm:(.*):1\}\}$/.exec(launchTemplate.Properties.LaunchTemplateData.ImageId)![1];
    expect(written).toContainEqual([region, [name]]);
    expect(JSON.stringify(templates[`Web-${region}`])).not.toContain('Fn::ImportValue');
  }
  expect(templates.Images.Outputs ?? {}).toEqual({});
});

test('cascade and a plain launch template: both read the base\'s published AMI id', () => {
  const templates = run(files[1]);
  const [recipe] = resourcesOf(templates.AppImages, 'AWS::ImageBuilder::ImageRecipe');
  const [launchTemplate] = resourcesOf(templates.AppImages, 'AWS::EC2::LaunchTemplate');
  expect(recipe.Properties.ParentImage).toMatch(/^\{\{resolve:ssm:\/imagebuilder\/cdk-immutable-infra\/baseimages-base-[0-9a-f]{8}\/[0-9a-f]{16}:1\}\}$/);
  expect(launchTemplate.Properties.LaunchTemplateData.ImageId).toBe(recipe.Properties.ParentImage);
  expect(JSON.stringify(templates.AppImages)).not.toContain('Fn::ImportValue');
});
