import * as fs from 'fs';
import * as path from 'path';
import * as imagebuilder from '@aws-cdk/aws-imagebuilder-alpha';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { ImageBuilder } from './bench-case';
import { economy, Economy } from './measure';
import { ContainerParent, GoldenContainerImage, Provisioner } from '../src';

/**
 * `npx projen bench:containers`: what one golden container image costs in a template, this
 * library against `@aws-cdk/aws-imagebuilder-alpha`'s ContainerRecipe for the same image
 * (Debian 12 from Docker Hub, one shell step, pushed to a new ECR repository, built at deploy),
 * at 1, 10 and 50 images in one stack. Never a test. Writes bench/results/containers.json and
 * containers.md.
 */
const COUNTS = [1, 10, 50];
const PARENT = { repository: 'debian', tag: 'bookworm' };
const INSTALL_CURL = ['apt-get update', 'apt-get install -y curl'];

const COMPONENT_YAML = [
  'name: install-curl',
  'schemaVersion: 1.0',
  'phases:',
  '  - name: build',
  '    steps:',
  '      - name: install-curl',
  '        action: ExecuteBash',
  '        inputs:',
  '          commands:',
  ...INSTALL_CURL.map(c => `            - ${c}`),
  '',
].join('\n');

/** This library: the image, its repository made with it. */
const ours: ImageBuilder = (stack, index) => {
  new GoldenContainerImage(stack, `App${index}`, {
    parentImage: ContainerParent.fromDockerHub(`${PARENT.repository}:${PARENT.tag}`),
    provisioners: [Provisioner.shell({ name: 'install-curl', commands: INSTALL_CURL })],
  });
};

/**
 * The official Image Builder L2 (experimental): a repository (its defaults), a component, a
 * container recipe and a deploy-time `Image`, whose defaults make the role, instance profile
 * and infrastructure configuration.
 */
const alpha: ImageBuilder = (stack, index) => {
  const repository = new ecr.Repository(stack, `Repository${index}`);
  const component = new imagebuilder.Component(stack, `Component${index}`, {
    platform: imagebuilder.Platform.LINUX,
    data: imagebuilder.ComponentData.fromInline(COMPONENT_YAML),
  });
  const recipe = new imagebuilder.ContainerRecipe(stack, `Recipe${index}`, {
    baseImage: imagebuilder.BaseContainerImage.fromDockerHub(PARENT.repository, PARENT.tag),
    targetRepository: imagebuilder.Repository.fromEcr(repository),
    components: [{ component }],
  });
  new imagebuilder.Image(stack, `Image${index}`, { recipe });
};

const CASES: Array<{ id: string; label: string; build: ImageBuilder }> = [
  { id: 'golden-container-image', label: 'cdk-immutable-infra GoldenContainerImage', build: ours },
  { id: 'imagebuilder-alpha-container', label: '@aws-cdk/aws-imagebuilder-alpha ContainerRecipe + Image', build: alpha },
];

function main(): void {
  process.env.CDK_VALIDATION = 'false';
  const figures: Record<string, Record<number, Economy>> = {};
  for (const c of CASES) {
    figures[c.id] = Object.fromEntries(COUNTS.map(n => [n, economy(c.build, n)]));
  }
  const rows = CASES.flatMap(c => COUNTS.map(n => {
    const e = figures[c.id][n];
    return `| ${c.label} | ${n} | ${e.resources} | ${(e.resources / n).toFixed(1)} | ${e.templateBytes} | ${Math.round(e.templateBytes / n)} | ${e.metadataBytes} |`;
  }));
  const types = CASES.map(c => `- ${c.label}, one image: ${Object.entries(figures[c.id][1].resourcesByType).sort().map(([t, n]) => `${n} ${t}`).join(', ')}`);
  const md = [
    '# Container images: template economy',
    '',
    `\`npx projen bench:containers\`, ${new Date().toISOString()}. Template bytes are the compact JSON of the stack's resources.`,
    '',
    '| Case | Images | Resources | per image | Template bytes | per image | of which metadata |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...types,
    '',
  ].join('\n');
  const out = path.join(__dirname, 'results');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'containers.json'), JSON.stringify({ date: new Date().toISOString(), counts: COUNTS, economy: figures }, null, 2) + '\n');
  fs.writeFileSync(path.join(out, 'containers.md'), md);
  process.stdout.write(md);
}

main();
