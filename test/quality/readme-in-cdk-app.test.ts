import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cleanNpmEnvironment, PackedLibrary, packLibrary, REPO } from './packed-library';

/*
 * The README, as a new user meets it: the packed library installed into an app made by the CDK
 * CLI's `cdk init app --language typescript`, and every TypeScript snippet of README.md pasted
 * into that app as it is and synthesised with the app's own CDK CLI (`npx cdk synth`), offline:
 * no AWS credentials, no AWS calls. Slow (it installs a whole CDK app from the npm registry).
 *
 * THE README SNIPPET CONVENTION (for everyone who writes in README.md):
 *
 * 1. Every ```ts (or ```typescript) block is a complete app: what you paste over
 *    `bin/<app>.ts` of a `cdk init` app. It has all its imports (aws-cdk-lib, constructs,
 *    cdk-immutable-infra and Node's built-ins are what the app has), makes its own `App` and at
 *    least one `Stack`, and synthesises without AWS credentials, so no context lookups
 *    (`Vpc.fromLookup`, `ParentImage.lookup`, `DeploymentImage.fromSsmParameterLookup`). There
 *    is no opt-out: a fragment is not a ts block; write the whole app or use prose.
 * 2. Files a snippet reads are README blocks too, with `file=<path from the app's root>` after
 *    the language: ```html file=site/index.html. They are written into the app before any
 *    snippet runs. From bin/, a snippet reaches them as path.join(__dirname, '..', 'site/').
 * 3. What a snippet makes is checked in its templates: each construct or provisioner of this
 *    library it writes out (`new GoldenImage(`, `.addPipeline(`, `Provisioner.shell(`, ...; see
 *    MAKES below, comments not counted) needs at least as many resources of its kind.
 *
 * Each snippet becomes bin/readme-<n>.ts, n counting from 1 in README order, and is synthesised
 * with the app command cdk.json gives, pointed at that file. Nothing is written in the repository.
 */

const README = path.join(REPO, 'README.md');
const APP_NAME = 'readme-app';

interface FencedBlock {
  readonly language: string;
  readonly attributes: Record<string, string>;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The closest heading above the block. */
  readonly heading: string;
}

/** Fenced code blocks of a Markdown text, with their info string split into language and key=value attributes. */
function fencedBlocks(markdown: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const blocks: FencedBlock[] = [];
  let heading = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const headingLine = /^#{1,6}\s+(.*)$/.exec(lines[i]);
    if (headingLine) {
      heading = headingLine[1];
      continue;
    }
    const open = /^(`{3,})\s*(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) {
      continue;
    }
    const end = lines.findIndex((l, j) => j > i && l.trim() === open[1]);
    if (end < 0) {
      throw new Error(`README.md:${i + 1}: a code block that is never closed`);
    }
    const attributes = Object.fromEntries([...open[3].matchAll(/(\w+)=(\S+)/g)].map(m => [m[1], m[2]]));
    blocks.push({ language: open[2], attributes, code: lines.slice(i + 1, end).join('\n') + '\n', line: i + 1, heading });
    i = end;
  }
  return blocks;
}

/** What the library's constructs and provisioners make, by the CloudFormation type that shows each. */
const MAKES: ReadonlyArray<{ readonly written: RegExp; readonly type: string }> = [
  { written: /\bnew GoldenImage\(/g, type: 'AWS::ImageBuilder::ImageRecipe' },
  { written: /\bnew GoldenContainerImage\(/g, type: 'AWS::ImageBuilder::ContainerRecipe' },
  { written: /\bnew ImagePipeline\(|\.addPipeline\(/g, type: 'AWS::ImageBuilder::ImagePipeline' },
  { written: /\bnew ImmutableDeployment\(/g, type: 'Custom::ImmutableRelease' },
  {
    written: /\bProvisioner\.(shell|shellScript|file|ansiblePlaybook|chefSolo|puppetApply|reboot|updateOs|powerShell|powerShellScript|fromComponentDocument|fromComponentDocumentFile)\(/g,
    type: 'AWS::ImageBuilder::Component',
  },
  { written: /\bImageWorkflow\.(testStage|manualApproval|fromDocument|fromDocumentFile)\(/g, type: 'AWS::ImageBuilder::Workflow' },
];

/** The snippet's code without `//` comments (a `//` inside a string such as a URL follows a non-space and stays). */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

/** How many resources of each type the snippet's text promises. */
function promisedResources(code: string): Record<string, number> {
  const promised: Record<string, number> = {};
  for (const { written, type } of MAKES) {
    const count = [...withoutComments(code).matchAll(written)].length;
    if (count > 0) {
      promised[type] = (promised[type] ?? 0) + count;
    }
  }
  return promised;
}

const blocks = fencedBlocks(fs.readFileSync(README, 'utf-8'));
const snippets = blocks.filter(b => b.language === 'ts' || b.language === 'typescript')
  .map((block, i) => ({ ...block, file: `bin/readme-${i + 1}.ts` }));
const appFiles = blocks.filter(b => b.attributes.file !== undefined);

/**
 * Child processes run as in a fresh shell of a user without AWS credentials: no npm script
 * variables of this repository, no AWS keys or profiles, no instance metadata lookups, no telemetry.
 */
function appEnvironment(home: string): NodeJS.ProcessEnv {
  const env = cleanNpmEnvironment({
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-aws-credentials'),
  });
  for (const key of Object.keys(env)) {
    if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|DEFAULT_PROFILE|ROLE_ARN|WEB_IDENTITY_TOKEN_FILE|CONTAINER_CREDENTIALS_.*)$/.test(key)) {
      delete env[key];
    }
  }
  return env;
}

/** Runs a command in the app through a shell (cdk.json's app commands are shell lines); throws with its output on failure. */
function run(command: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMinutes: number): string {
  const result = spawnSync(command, { cwd, env, shell: true, encoding: 'utf-8', timeout: timeoutMinutes * 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const why = result.error ? String(result.error) : `exit code ${result.status}${result.signal ? `, signal ${result.signal}` : ''}`;
    throw new Error(`\`${command}\` in ${cwd} failed (${why}):\n${result.stdout}\n${result.stderr}`);
  }
  return `${result.stdout}${result.stderr}`;
}

/** Resource types of every stack template in a cloud assembly, counted. */
function resourceTypes(assembly: string): { stacks: string[]; types: Record<string, number> } {
  const manifest = JSON.parse(fs.readFileSync(path.join(assembly, 'manifest.json'), 'utf-8'));
  const stacks = Object.entries(manifest.artifacts as Record<string, { type: string; properties?: { templateFile: string } }>)
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
  const types: Record<string, number> = {};
  for (const [, artifact] of stacks) {
    const template = JSON.parse(fs.readFileSync(path.join(assembly, artifact.properties!.templateFile), 'utf-8'));
    for (const resource of Object.values(template.Resources ?? {}) as Array<{ Type: string }>) {
      types[resource.Type] = (types[resource.Type] ?? 0) + 1;
    }
  }
  return { stacks: stacks.map(([name]) => name), types };
}

describe('README snippets in a `cdk init` app with the packed library', () => {
  let workdir: string;
  let appDir: string;
  let env: NodeJS.ProcessEnv;
  /** cdk.json's app command, split into what prepares the app (run once) and what runs bin/<app>.ts. */
  let prepare: string[];
  let runEntry: string;

  beforeAll(() => {
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-immutable-infra-readme-'));
    env = appEnvironment(workdir);
    const packed: PackedLibrary = packLibrary(path.join(workdir, 'pack'));

    appDir = path.join(workdir, APP_NAME);
    fs.mkdirSync(appDir);
    run(`"${path.join(REPO, 'node_modules', '.bin', 'cdk')}" init app --language typescript --generate-only`, appDir, env, 5);
    // The app's own dependencies, as its package.json lists them, and the packed library.
    run(`npm install --no-audit --no-fund "${packed.tarball}"`, appDir, env, 15);

    for (const block of appFiles) {
      const target = path.join(appDir, block.attributes.file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, block.code);
    }
    for (const snippet of snippets) {
      fs.writeFileSync(path.join(appDir, snippet.file), snippet.code);
    }

    const entry = `bin/${APP_NAME}.ts`;
    const command: string = JSON.parse(fs.readFileSync(path.join(appDir, 'cdk.json'), 'utf-8')).app;
    if (!command.includes(entry)) {
      throw new Error(`cdk.json's app command no longer names ${entry}: ${command}`);
    }
    const parts = command.split('&&').map(p => p.trim());
    runEntry = parts.pop()!;
    prepare = parts;
    // With `npx tsc` here, every snippet is type-checked as the app's own build would.
    const legend = snippets.map(s => `${s.file} is README.md:${s.line} (under "${s.heading}")`).join('\n');
    for (const step of prepare) {
      try {
        run(step, appDir, env, 5);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${legend}`);
      }
    }
  }, 30 * 60_000);

  afterAll(() => {
    if (workdir) {
      fs.rmSync(workdir, { recursive: true, force: true });
    }
  });

  test('the README has TypeScript snippets, and the files they read stay inside the app', () => {
    expect(snippets.length).toBeGreaterThan(0);
    for (const block of appFiles) {
      expect(path.posix.normalize(block.attributes.file)).not.toMatch(/^(\.\.|\/)/);
    }
  });

  test.each(snippets.map(s => [s.file, s.line, s.heading, s] as const))('%s (README.md:%d, under "%s") synthesises with `npx cdk synth`', (file, _line, _heading, snippet) => {
    const assembly = path.join(workdir, `cdk.out.${path.basename(file, '.ts')}`);
    const app = runEntry.replace(`bin/${APP_NAME}.ts`, file);
    run(`npx cdk synth --no-notices --quiet --app '${app}' --output '${assembly}'`, appDir, env, 10);

    const { stacks, types } = resourceTypes(assembly);
    expect(stacks.length).toBeGreaterThan(0);
    const short = Object.entries(promisedResources(snippet.code))
      .filter(([type, count]) => (types[type] ?? 0) < count)
      .map(([type, count]) => `${type}: ${types[type] ?? 0} in the templates, ${count} written in the snippet`);
    expect(short).toEqual([]);
  }, 10 * 60_000);
});
