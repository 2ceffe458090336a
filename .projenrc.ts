import { awscdk, javascript } from 'projen';

/**
 * aws-cdk-lib 2.223.0 is the first release whose `CfnImage` carries
 * `imagePipelineExecutionSettings` and `deletionSettings` (the deploy-time bake and
 * the AMI clean-up it relies on); nothing older can express them without escape hatches.
 * The tests run against a newer aws-cdk-lib so that its synth-time template validation
 * (2.262+) and cdk-nag 3 take part in the test suite.
 */
const MIN_CDK_VERSION = '2.223.0';
const TEST_CDK_VERSION = '2.276.0';

const project = new awscdk.AwsCdkConstructLibrary({
  author: 'cdk-immutable-infra developers',
  authorAddress: 'maintainers@cdk-immutable-infra.dev',
  cdkVersion: MIN_CDK_VERSION,
  constructsVersion: '10.5.1',
  defaultReleaseBranch: 'main',
  name: 'cdk-immutable-infra',
  description: 'Golden images and immutable infrastructure for AWS CDK: Packer-style provisioners on EC2 Image Builder, image pipelines, and health-gated blue/green fleet replacement.',
  keywords: ['aws-cdk', 'cdk', 'ec2-image-builder', 'golden-image', 'ami', 'packer', 'immutable-infrastructure', 'blue-green'],
  license: 'Apache-2.0',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  repositoryUrl: 'https://github.com/cdk-immutable-infra/cdk-immutable-infra.git',

  // TypeScript 7 is the native port and breaks ts-jest and typescript-eslint.
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',
  // Node.js 22 and 24 are the LTS lines jsii supports (it dropped Node 20 on 2026-10-30). Node 20 still
  // builds and tests the library, with npm's EBADENGINE warning and jsii's banner, but is not supported.
  minNodeVersion: '22.0.0',

  // Nothing here may download beyond the npm registry; workflows would only be generated.
  github: false,
  release: false,
  depsUpgrade: false,
  sampleCode: false,

  // projen would pin the dev copy of aws-cdk-lib to the peer minimum; test against the newer one.
  peerDependencyOptions: { pinnedDevDependency: false },
  // @cdktn/hcl2json: HashiCorp's HCL parser compiled to WebAssembly, for import-packer. Its wasm
  // cannot be inlined into the CLI bundle, so it ships as a bundled dependency the CLI requires
  // lazily; the library's runtime never loads it.
  bundledDeps: ['yaml', '@cdktn/hcl2json@0.24.0'],
  devDeps: [
    `aws-cdk-lib@${TEST_CDK_VERSION}`,
    'constructs@^10.5.1',
    'cdk-nag@^3.0.2',
    '@aws-cdk/aws-service-spec@^0.1.216',
    '@aws-sdk/client-elastic-load-balancing-v2@^3',
    '@aws-sdk/client-auto-scaling@^3',
    '@aws-sdk/client-cloudwatch@^3',
    '@aws-sdk/client-eventbridge@^3',
    '@aws-sdk/client-imagebuilder@^3',
    '@aws-sdk/client-dynamodb@^3',
    // The release controller invokes a deployment's verify hook (pre-traffic verification).
    '@aws-sdk/client-lambda@^3',
    // vagrant-box (the command line): AMI ids from SSM, the exported disk from S3. Bundled into the CLI.
    '@aws-sdk/client-ssm@^3',
    '@aws-sdk/client-s3@^3',
    // The container image digest's lookup runs aws-cdk-lib's AwsCustomResource handler, which
    // loads this client, in tests. Pinned to the locked clients' release (3.1178.0, as ssm, s3,
    // lambda, dynamodb) so it shares their @aws-sdk/core and @smithy packages.
    '@aws-sdk/client-ecr@3.1178.0',
    '@smithy/protocol-http@^5',
    '@smithy/util-retry@^4',
    '@types/aws-lambda@^8',
    'fast-check@^4',
    // Evaluates the state machines' JSONata expressions in tests, as Step Functions would.
    'jsonata@^2',
    // The command line's argument parser: bundled into the CLI at build time, never a runtime dependency.
    'commander@^14',
    'ts-node@^10',
    // The CDK CLI for the test that synthesises the README's snippets in a `cdk init` app,
    // held to the v2 line that goes with aws-cdk-lib 2 (npm's latest tag may move on).
    'aws-cdk@^2',
    // Peers, used only by bench/ (exact versions: the figures compare against these).
    '@aws-cdk/aws-imagebuilder-alpha@2.270.0-alpha.0',
    '@cloudsnorkel/cdk-github-runners@0.14.13',
    'cdk-image-pipeline@0.5.133',
    '@jjrawlins/cdk-ami-builder@0.0.195',
  ],

  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    bundlingOptions: {
      // Bundle the SDK clients: the handlers pin the versions they were tested with. Leaving
      // the SDK to the runtime's copy makes the release controller's bundle 20x smaller (955 KB
      // -> 48 KB) but its cold import only 40 ms faster (182 against 221 ms over an empty node:
      // the same SDK code loads, from many files; bench/results/latest.md), and the runtime's SDK
      // moves with runtime updates (docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html,
      // "Runtime-included SDK versions"): the controller's guard against hung connections,
      // requestHandler.throwOnRequestTimeout, does nothing in @smithy/node-http-handler releases
      // that predate it, where a request timeout only logs a warning. 40 ms once per cold start
      // of a handler that polls a release for minutes is worth the pinned, tested behaviour.
      externals: [],
      sourcemap: false,
    },
  },

  jestOptions: {
    // Snapshot tests must be able to fail.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testTimeout: 120_000,
      // Jest's default leaves one core to the parent process, which only waits: on a 2-core CI
      // machine that halves the suite's speed for nothing.
      maxWorkers: '100%',
      // Coverage instruments every module and costs about a fifth of the suite's CPU time;
      // nothing reads the report in CI. `npm run test:coverage` makes it.
      collectCoverage: false,
      setupFiles: ['<rootDir>/test/setup-environment.ts'],
      // The suite's temporary files under one folder, removed at the end (see global-setup.ts).
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  },

  tsconfig: {
    compilerOptions: {
      // The package's modules carry their source maps in .js.map files beside them: inline maps
      // tripled the JavaScript every app reads and compiles (2.4 MB against 0.8 MB for the
      // library's modules), for about 30 million instructions (2%) at every synth. Node and
      // debuggers follow the sourceMappingURL comment to the file, and the maps still hold the
      // TypeScript sources.
      inlineSourceMap: false,
      sourceMap: true,
      inlineSources: true,
    },
  },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    // ts-node and Jest map their own output; the dev config keeps projen's inline maps.
    compilerOptions: { inlineSourceMap: true, sourceMap: false },
    include: ['bench/**/*.ts', 'tools/**/*.ts'],
  },

  gitignore: ['cdk.out/', 'bench/results/*.tmp', '.tmp/', 'test/**/__snapshots__/*.snap.tmp'],
});

// Smaller handler bundles load faster on a cold start. projen's Lambda bundling options have
// no minify switch, so the discovered bundle tasks get it here.
for (const task of project.tasks.all.filter(t => /^bundle:handlers\/.*\.lambda$/.test(t.name))) {
  const steps = task.steps;
  task.reset();
  for (const step of steps) {
    task.execArgs([...step.execArgs!, '--minify']);
  }
}

// The command line ships as one esbuild bundle (like the Lambda handlers), so it needs no runtime
// dependency of its own: commander and yaml are inside it. The library's AWSTOE validator imports
// aws-cdk-lib only to recognise unresolved tokens; a synthesised cloud assembly holds none, so the
// bundle gets a stand-in for those two functions instead of the whole of aws-cdk-lib.
const cli = project.bundler.addBundle('src/cli/cdk-immutable-infra.ts', {
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  // The HCL parser loads its wasm from its own package folder: required at run time, not bundled.
  externals: ['@cdktn/hcl2json'],
  executable: true,
  esbuildArgs: { '--alias:aws-cdk-lib': './src/cli/core/synthesised-tokens.ts' },
});
project.addBins({ 'cdk-immutable-infra': cli.outfile });
// vagrant-box's AWS SDK clients (SSM, S3) are their own bundle, which the command line requires by
// a computed path when it uses them: inside the CLI's bundle they quadrupled its size and doubled
// every command's start-up.
project.bundler.addBundle('src/cli/vagrant-box/aws-clients.ts', { platform: 'node', target: 'node20', sourcemap: false });
// jsii compiles src/cli too (so it type-checks under the library's settings), but that copy
// requires commander, a devDependency: consumers get the bundle only.
project.addPackageIgnore('/lib/cli/**');
project.eslint?.allowDevDeps('src/cli/**');

// examples/ has its own type-check-only tsconfig so typescript-eslint's project service finds one.
project.eslint?.addLintPattern('examples');
project.eslint?.addLintPattern('tools');
project.eslint?.addLintPattern('bench');
project.eslint?.allowDevDeps('examples/**');
project.eslint?.allowDevDeps('bench/**');
project.eslint?.allowDevDeps('tools/**');
project.eslint?.allowDevDeps('src/handlers/**');

const tsNode = 'ts-node -P examples/tsconfig.json --transpile-only';
const example = project.addTask('example', {
  description: 'Bundle the Lambda handlers, synthesise the example app into cdk.out/ (offline, no AWS credentials) and print a summary',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true' },
});
// The example runs the TypeScript sources, but the release controller's functions are assets
// that only the bundle step writes (a few seconds with esbuild); jsii compilation is not needed.
example.spawn(project.bundler.bundleTask);
example.exec(`${tsNode} examples/main.ts`);
/**
 * A benchmark task: bench/<script>.ts under ts-node with the dev tsconfig, after the handler
 * bundles for the benches that run the example's deployment or the command line as it ships.
 */
function addBenchTask(name: string, description: string, script: string,
  options: { bundles?: boolean; nodeFlags?: string; env?: Record<string, string> } = {}): void {
  const task = project.addTask(name, {
    description,
    env: { TS_NODE_PROJECT: 'tsconfig.dev.json', TS_NODE_TRANSPILE_ONLY: 'true', ...options.env },
  });
  if (options.bundles) {
    task.spawn(project.bundler.bundleTask);
  }
  task.exec(`node ${options.nodeFlags ? `${options.nodeFlags} ` : ''}-r ts-node/register bench/${script}.ts`);
}

// --expose-gc lets the benchmark measure heap growth per synthesis from a collected heap.
addBenchTask('bench', 'Run the benchmarks in bench/ and write bench/results/', 'run', { nodeFlags: '--expose-gc' });
addBenchTask('bench:bake-local', 'Time bake-local on the example\'s Debian image, cold (no cached root) and warm; writes bench/results/bake-local.json (root, network)',
  'bake-local', { bundles: true, env: { CDK_DISABLE_CLI_TELEMETRY: 'true' } });
addBenchTask('bench:plan', 'Time plan (the bundled CLI) on the example app, unchanged and with one changed command, and SnapshotTemplate.of; writes bench/results/plan.json',
  'plan', { bundles: true, env: { CDK_DISABLE_CLI_TELEMETRY: 'true' } });
addBenchTask('bench:import-packer', 'Time import-packer on each template of the shared Packer corpus (the shipped CLI and in process); writes bench/results/import-packer.json',
  'import-packer', { bundles: true });
addBenchTask('bench:instructions', 'Count the instructions of one whole-process synth (valgrind: all threads on a single-threaded V8, and the main thread of a normal one) for us, the floor, the alpha and our template by hand at 1, 10 and 50 images; writes bench/results/instructions.json',
  'instructions');
addBenchTask('bench:containers', 'Resources and template bytes per golden container image, against @aws-cdk/aws-imagebuilder-alpha\'s ContainerRecipe; writes bench/results/containers.json',
  'containers');

// The index names every construct; without this, loading it loads every module (the release
// controller's and the load balancer's too) for an app that only bakes. jsii compiles lib/, then
// each module's imports are made to load on first use (tools/lazy-requires/lazy-requires.ts).
const lazyRequires = project.addTask('lazy-requires', {
  description: 'Make the compiled modules in lib/ load their imports on first use',
  exec: 'node -r ts-node/register tools/lazy-requires/cli.ts lib',
});
project.postCompileTask.prependSpawn(lazyRequires);

// jsii's Python target must generate cleanly (PyPI is out of reach, so code only), and the
// committed API.md must be what docgen makes of the current source.
const pythonCheck = project.addTask('check:python', {
  description: 'Generate the Python bindings (code only) from the jsii assembly; fails on error',
  exec: 'bash tools/jsii-python-check.sh',
});
project.postCompileTask.spawn(pythonCheck);
// The tests run against a newer aws-cdk-lib: type-check the library against the peer minimum too.
const minCdkCheck = project.addTask('check:min-cdk', {
  description: 'Type-check the library against the lowest aws-cdk-lib its peerDependency allows',
  exec: 'bash tools/min-cdk-check.sh',
});
project.postCompileTask.spawn(minCdkCheck);
const apiCheck = project.addTask('check:api-md', {
  description: 'Fail when the committed API.md is not what docgen makes of the current source',
  exec: 'bash tools/api-md-check.sh',
});
// In CI (a fresh clone) the working-tree API.md is the committed one: check it before docgen rewrites it.
project.postCompileTask.prependSpawn(apiCheck, { condition: 'node -e "if (!process.env.CI) process.exit(1)"' });

// The release controller's property tests play a quick set of seeded cases in `npm test` and the
// deep set here (test/handlers/fake-aws/property-runs.ts): run it after changing the controller or the fake.
project.addTask('test:deep', {
  description: 'Run the release controller\'s property tests with their deep run counts (several minutes)',
  env: { FC_DEEP: '1' },
  exec: 'jest --coverage=false test/handlers',
});

project.addTask('test:coverage', {
  description: 'Run the tests with coverage (coverage/, and a summary on the console)',
  exec: 'jest --coverage',
});

// `npm test` is the newcomer's (and CI's) one command: bundle, jsii compile, API.md, tests, lint.
project.package.setScript('test', 'npx projen build');

project.addPackageIgnore('bench/');
// The maintainer's map; users read the README and API.md.
project.addPackageIgnore('/ARCHITECTURE.md');
project.addPackageIgnore('tools/');
project.addPackageIgnore('examples/');
project.addPackageIgnore('.ci/');
// Synthesised apps (`npm run example`, tests) and packed tarballs are never part of the package.
project.addPackageIgnore('cdk.out/');
project.addPackageIgnore('*.tgz');
project.addPackageIgnore('.tmp/');
// Handler code reaches consumers only as the bundles in assets/: its compiled sources in lib/
// require SDK clients that are devDependencies. The projen-generated *-function.js wrappers stay:
// they are the Lambda constructs the library loads, and point at the bundles.
project.addPackageIgnore('/lib/handlers/**');
project.addPackageIgnore('!/lib/handlers/*/*-function.js');
project.addPackageIgnore('!/lib/handlers/*/*-function.js.map');
project.addPackageIgnore('!/lib/handlers/*/*-function.d.ts');

project.synth();
