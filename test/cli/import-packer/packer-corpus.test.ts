import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { importTemplate, ImportResult } from '../../../src/cli/import-packer/import-packer';
import { countEntries } from '../../../src/cli/import-packer/import-report';

/*
 * Every template of the shared Packer corpus imports; the generated code type-checks against the
 * library (one tsc run over all of it) and synthesises; the report's counts are pinned per
 * template so a mapping that starts or stops working shows here.
 */
const REPO = path.join(__dirname, '..', '..', '..');
const CORPUS = path.join(REPO, '..', 'shared', 'corpus', 'packer');
const WORK = path.join(REPO, '.tmp', 'import-packer-corpus');
const EKS_FOLDER = 'aws-samples+amazon-eks-custom-amis';
/** Templates written for these tests (the .pkr.json twin of a corpus .pkr.hcl), imported beside the corpus. */
const FIXTURES = path.join(__dirname, 'fixtures');
const PKR_JSON_TWIN = 'ubuntu-imdsv2-enabled.pkr.json';

/** Builder options and provisioners: [mapped, approximate, unsupported]; post-processors: [mapped, unsupported]. */
const EXPECTED: Record<string, { builder: number[]; provisioner: number[]; postProcessor: number[]; images: number }> = {
  [EKS_FOLDER]: { builder: [11, 1, 3], provisioner: [6, 0, 3], postProcessor: [0, 0], images: 1 },
  'aws-samples+amazon-eks-custom-amis__amazon-eks-node-rhel8.json': { builder: [8, 1, 3], provisioner: [7, 2, 2], postProcessor: [0, 0], images: 1 },
  'aws-samples+amazon-eks-custom-amis__amazon-eks-node-windows1809full.json': { builder: [9, 0, 5], provisioner: [5, 0, 1], postProcessor: [0, 0], images: 1 },
  'awslabs+amazon-eks-ami__templates__al2__template.json': { builder: [3, 1, 6], provisioner: [16, 5, 2], postProcessor: [2, 0], images: 1 },
  'hashicorp+packer-plugin-amazon__builder__ebs__test-fixtures__unlimited-credits__burstable_spot_instances.pkr.hcl': { builder: [10, 0, 7], provisioner: [4, 2, 0], postProcessor: [0, 0], images: 2 },
  'hashicorp+packer-plugin-amazon__builder__examples__apache_server__apache.json': { builder: [4, 1, 1], provisioner: [1, 0, 0], postProcessor: [0, 0], images: 1 },
  'hashicorp+packer-plugin-amazon__example__build.pkr.hcl': { builder: [5, 1, 0], provisioner: [0, 0, 0], postProcessor: [0, 0], images: 1 },
  'hashicorp+packer-plugin-amazon__example__instance-metadata__ubuntu-imdsv2-enabled.json': { builder: [7, 0, 1], provisioner: [1, 0, 0], postProcessor: [0, 0], images: 1 },
  'hashicorp+packer-plugin-amazon__example__instance-metadata__ubuntu-imdsv2-enabled.pkr.hcl': { builder: [6, 0, 1], provisioner: [1, 0, 0], postProcessor: [0, 0], images: 1 },
  [PKR_JSON_TWIN]: { builder: [6, 0, 1], provisioner: [1, 0, 0], postProcessor: [0, 0], images: 1 },
  'hashicorp+packer-plugin-ansible__docs__provisioners__ansible.mdx__example-amazon-ebs-winrm.pkr.hcl': { builder: [5, 2, 4], provisioner: [0, 0, 1], postProcessor: [0, 0], images: 1 },
  'hashicorp+packer__command__test-fixtures__hcl2_upgrade__ami_test__expected.pkr.hcl': { builder: [0, 2, 2], provisioner: [0, 0, 0], postProcessor: [0, 0], images: 1 },
  'hashicorp+packer__command__test-fixtures__hcl2_upgrade__ami_test__input.json': { builder: [0, 2, 2], provisioner: [0, 0, 0], postProcessor: [0, 0], images: 1 },
  'hashicorp+terraform-aws-vault__examples__vault-consul-ami__vault-consul.json': { builder: [18, 0, 0], provisioner: [18, 6, 7], postProcessor: [0, 0], images: 3 },
  'hashicorp-education+learn-packer-hcp-golden-image__hashicups-image__hashicups.pkr.hcl': { builder: [10, 0, 4], provisioner: [2, 8, 0], postProcessor: [0, 0], images: 2 },
  'kubernetes-sigs+image-builder__images__capi__packer__ami__packer-windows.json': { builder: [11, 2, 10], provisioner: [5, 0, 3], postProcessor: [1, 0], images: 1 },
};

const haveCorpus = fs.existsSync(CORPUS);
if (!haveCorpus) {
  // eslint-disable-next-line no-console
  console.warn(`import-packer corpus tests skipped: ${CORPUS} is absent`);
}
const maybe = haveCorpus ? describe : describe.skip;

maybe('import-packer over the Packer corpus', () => {
  const results = new Map<string, ImportResult & { out: string }>();

  beforeAll(async () => {
    fs.rmSync(WORK, { recursive: true, force: true });
    fs.mkdirSync(path.join(WORK, 'templates', EKS_FOLDER), { recursive: true });
    // The library as the generated code imports it.
    const shim = path.join(WORK, 'node_modules', 'cdk-immutable-infra');
    fs.mkdirSync(shim, { recursive: true });
    fs.writeFileSync(path.join(shim, 'index.js'), `module.exports = require(${JSON.stringify(path.join(REPO, 'src', 'index'))});\n`);
    for (const file of fs.readdirSync(CORPUS)) {
      const target = file.startsWith(`${EKS_FOLDER}__`) && file.endsWith('.pkr.hcl')
        ? path.join(WORK, 'templates', EKS_FOLDER, file) : path.join(WORK, 'templates', file);
      fs.copyFileSync(path.join(CORPUS, file), target);
    }
    fs.copyFileSync(path.join(FIXTURES, PKR_JSON_TWIN), path.join(WORK, 'templates', PKR_JSON_TWIN));
    for (const name of Object.keys(EXPECTED)) {
      const template = path.join(WORK, 'templates', name);
      const out = path.join(WORK, 'generated', `${name.replace(/[^A-Za-z0-9]+/g, '_')}.ts`);
      const result = await importTemplate(template, { varFiles: [], vars: [], env: {} }, out);
      // The files the template uploads are the user's; stand-ins let the code synthesise.
      for (const missing of result.missingFiles) {
        const isFolder = /[\\/]$/.test(missing) || !path.extname(missing);
        fs.mkdirSync(isFolder ? missing : path.dirname(missing), { recursive: true });
        if (!isFolder) fs.writeFileSync(missing, '#!/bin/sh\ntrue\n');
        else fs.writeFileSync(path.join(missing, 'placeholder.txt'), 'placeholder\n');
      }
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, result.code);
      results.set(name, { ...result, out });
    }
  }, 300_000);

  test.each(Object.keys(EXPECTED))('%s: report counts', name => {
    const result = results.get(name)!;
    const counts = countEntries(result.entries);
    const expected = EXPECTED[name];
    expect(result.template.images).toHaveLength(expected.images);
    expect([counts.builder.mapped, counts.builder.approximate, counts.builder.unsupported]).toEqual(expected.builder);
    expect([counts.provisioner.mapped, counts.provisioner.approximate, counts.provisioner.unsupported]).toEqual(expected.provisioner);
    expect([counts['post-processor'].mapped, counts['post-processor'].unsupported]).toEqual(expected.postProcessor);
    // Never a credential in the code.
    expect(result.code).not.toMatch(/AKIA[A-Z0-9]{16}/);
    expect(result.code).not.toMatch(/access_key|secret_key/);
  });

  test('the generated code type-checks against the library (one tsc run)', () => {
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'commonjs',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        esModuleInterop: true,
        paths: { 'cdk-immutable-infra': [path.join(REPO, 'src', 'index.ts')] },
        types: ['node'],
        typeRoots: [path.join(REPO, 'node_modules', '@types')],
      },
      files: [...results.values()].map(r => r.out),
    };
    fs.writeFileSync(path.join(WORK, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    try {
      execFileSync(path.join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', path.join(WORK, 'tsconfig.json')], { stdio: 'pipe' });
    } catch (e) {
      throw new Error(`tsc failed:\n${String((e as { stdout?: Buffer }).stdout ?? e)}`);
    }
  }, 300_000);

  /** The stack the generated construct synthesises into. */
  function synthesise(name: string) {
    const result = results.get(name)!;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cdk = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const generated = require(result.out) as Record<string, new (scope: unknown, id: string) => unknown>;
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Imported', { env: { account: '123456789012', region: 'us-east-1' } });
    new generated[result.className](stack, 'Images');
    return cdk.assertions.Template.fromStack(stack);
  }

  test.each(Object.keys(EXPECTED))('%s: the generated code synthesises', name => {
    synthesise(name).resourceCountIs('AWS::ImageBuilder::ImageRecipe', EXPECTED[name].images);
  });

  /** What an image is, without the names derived from the Packer source's name. */
  function imageFacts(name: string) {
    const resources = synthesise(name).toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
    const of = (type: string) => Object.values(resources).filter(r => r.Type === type).map(r => r.Properties);
    return {
      components: of('AWS::ImageBuilder::Component').map(p => p.Data).sort(),
      // The placeholder parameter of an unresolved parent is named after the source.
      parents: of('AWS::ImageBuilder::ImageRecipe').map(p => JSON.stringify(p.ParentImage).replace(/import-packer\/[^/]+\//, 'import-packer/SOURCE/')),
      amis: of('AWS::ImageBuilder::DistributionConfiguration').map(p => p.Distributions.map((d: any) => [d.AmiDistributionConfiguration.Name.replace(/^[^{]*?-?(?=\{)/, ''), d.AmiDistributionConfiguration.AmiTags])),
      instanceTypes: of('AWS::ImageBuilder::InfrastructureConfiguration').map(p => p.InstanceTypes),
    };
  }

  test.each([
    ['hashicorp+packer__command__test-fixtures__hcl2_upgrade__ami_test__input.json', 'hashicorp+packer__command__test-fixtures__hcl2_upgrade__ami_test__expected.pkr.hcl'],
    ['hashicorp+packer-plugin-amazon__example__instance-metadata__ubuntu-imdsv2-enabled.json', 'hashicorp+packer-plugin-amazon__example__instance-metadata__ubuntu-imdsv2-enabled.pkr.hcl'],
    // HCL2's two syntaxes.
    [PKR_JSON_TWIN, 'hashicorp+packer-plugin-amazon__example__instance-metadata__ubuntu-imdsv2-enabled.pkr.hcl'],
  ])('the JSON and HCL2 twins give the same image: %s', (json, hcl) => {
    const a = imageFacts(json);
    expect(a.components.length + a.parents.length).toBeGreaterThan(0);
    expect(imageFacts(hcl)).toEqual(a);
  });
});
