import { BenchCase } from './bench-case';

// Case modules load on demand (require, not import(): with module node16 TypeScript keeps
// import() as a native ESM import), so a whole-process run loads only its own library.
/* eslint-disable @typescript-eslint/no-require-imports */

export const FLOOR: BenchCase = {
  id: 'l1-floor',
  label: 'aws-cdk-lib L1 (floor)',
  load: () => (require('./floor') as typeof import('./floor')).l1Floor,
  addsByDefault: 'nothing: component, recipe, role, instance profile, infrastructure and distribution configurations, deploy-time image',
};

/** Our template for the benchmark image, written by hand with L1 classes (see template-floor.ts). */
export const TEMPLATE_FLOOR: BenchCase = {
  id: 'l1-our-template',
  label: 'aws-cdk-lib L1, our template by hand',
  load: () => (require('./template-floor') as typeof import('./template-floor')).templateFloor,
  addsByDefault: 'the template cdk-immutable-infra synthesises, versions aside, written with L1 classes at its construct paths',
};

export const OURS: BenchCase = {
  id: 'golden-image',
  label: 'cdk-immutable-infra',
  load: () => (require('./ours') as typeof import('./ours')).goldenImage,
  addsByDefault: 'the floor\'s 7 resources, and once per stack a validate component that fails the bake unless the SSM agent starts at boot (verifySsmAgent); an encrypted gp3 root volume, content-hashed names and versions, and cdk-nag reasons in metadata',
};

export const OURS_DEPLOYMENT: BenchCase = {
  id: 'golden-deployment',
  label: 'cdk-immutable-infra + ImmutableDeployment',
  load: () => (require('./ours') as typeof import('./ours')).goldenDeployment,
  addsByDefault: 'per deployment: load balancer, listener, target group, launch template, Auto Scaling group, security groups, alarms, the release custom resource; per stack: one release-controller provider',
};

export const PEERS: BenchCase[] = [
  {
    id: 'imagebuilder-alpha',
    label: '@aws-cdk/aws-imagebuilder-alpha',
    package: '@aws-cdk/aws-imagebuilder-alpha@2.270.0-alpha.0',
    load: () => (require('./peers/aws-imagebuilder-alpha') as typeof import('./peers/aws-imagebuilder-alpha')).awsImagebuilderAlpha,
    addsByDefault: 'nothing: the `Image` makes its own role, instance profile and infrastructure configuration (IMDSv2); it has no distribution configuration (Image Builder then keeps the AMI in the build region), hence one resource fewer',
  },
  {
    id: 'github-runners',
    label: '@cloudsnorkel/cdk-github-runners (AMI builder)',
    package: '@cloudsnorkel/cdk-github-runners@0.14.13',
    load: () => (require('./peers/cdk-github-runners') as typeof import('./peers/cdk-github-runners')).cdkGithubRunners,
    addsByDefault: 'a pipeline that rebuilds weekly, a lifecycle policy (keeps 2 AMIs), launch template, security group, 2 log groups, 3 custom resources (component and recipe versions, clean-up on delete) on 2 Lambda functions shared by the stack; builds on m6i.large in a private subnet',
  },
  {
    id: 'image-pipeline',
    label: 'cdk-image-pipeline',
    package: 'cdk-image-pipeline@0.5.133',
    load: () => (require('./peers/cdk-image-pipeline') as typeof import('./peers/cdk-image-pipeline')).cdkImagePipeline,
    addsByDefault: 'an SNS topic; an image pipeline instead of a deploy-time image (no AMI until the pipeline runs); no IMDSv2 requirement, no distribution configuration',
  },
  {
    id: 'ami-builder',
    label: '@jjrawlins/cdk-ami-builder',
    package: '@jjrawlins/cdk-ami-builder@0.0.195',
    load: () => (require('./peers/cdk-ami-builder') as typeof import('./peers/cdk-ami-builder')).cdkAmiBuilder,
    addsByDefault: 'per image: KMS key and alias, SNS topic, 2 Step Functions state machines and 5 Lambda functions that run the pipeline at deploy through a custom resource, 8 roles, 6 policies, 2 log groups, a security group; requires an `ec2.Vpc`; physical names are per stack, so two in one stack collide',
  },
];

/** @aws-cdk/aws-imagebuilder-alpha: the peer the goals name, timed at every image count. */
export const ALPHA: BenchCase = PEERS[0];

/** Every way of building the one image: the floor first, then us, then the peers. */
export const IMAGE_CASES: BenchCase[] = [FLOOR, OURS, ...PEERS];

/**
 * The cases timed at every image count: us, the floor, and the alpha (the goal is to synthesise
 * no slower than it at 1, 10 and 50 images); the other peers at one image.
 */
export const SCALED_CASES: BenchCase[] = [FLOOR, OURS, ALPHA];

export function caseById(id: string): BenchCase {
  const all = [...IMAGE_CASES, OURS_DEPLOYMENT, TEMPLATE_FLOOR];
  const found = all.find(c => c.id === id);
  if (!found) {
    throw new Error(`No benchmark case '${id}'; known: ${all.map(c => c.id).join(', ')}`);
  }
  return found;
}
