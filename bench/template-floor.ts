import * as crypto from 'crypto';
import { App, CfnResource, Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { Construct } from 'constructs';
import { ImageBuilder } from './bench-case';
import { al2023ParentArn, INSTALL_NGINX } from './benchmark-image';

/**
 * The floor for our template: the template GoldenImage synthesises for the benchmark image,
 * written by hand with aws-cdk-lib's L1 classes at the same construct paths (so the same
 * logical ids), with the same properties and metadata. What it costs over the floor is the
 * price of the template's content (an encrypted gp3 root, the SSM agent setting and check,
 * cdk-nag reasons, descriptions, a distribution, nested paths); what GoldenImage costs over it
 * is the library's own work (rendering and validating the document, hashing, checks).
 *
 * The benchmark checks that both synthesise the same template, versions aside: here they are
 * a plain hash of the document or the recipe, as a hand-written app would make them.
 */
export const templateFloor: ImageBuilder = (stack, index) => {
  const image = new Construct(stack, `Web${index}`);
  const name = imageName(image);
  const role = instanceRole(image);
  const document = componentDocument('build', 'install-nginx', ['set -e', ...INSTALL_NGINX]);
  const component = new imagebuilder.CfnComponent(new Construct(image, 'Component-install-nginx'), 'Resource', {
    name: `${name}-install-nginx`,
    version: version(document),
    platform: 'Linux',
    description: 'install-nginx (provisioners[0]), managed by cdk-immutable-infra',
    data: document,
  });
  const components = [{ componentArn: component.attrArn }, { componentArn: ssmAgentCheck(stack).attrArn }];
  const recipe = new imagebuilder.CfnImageRecipe(image, 'Recipe', {
    name,
    version: version(JSON.stringify(components.map(c => stack.resolve(c.componentArn)))),
    parentImage: al2023ParentArn(stack),
    components,
    blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { deleteOnTermination: true, encrypted: true, volumeType: 'gp3' } }],
    additionalInstanceConfiguration: { systemsManagerAgent: { uninstallAfterBuild: false } },
  });
  const infrastructureScope = new Construct(image, 'Infrastructure');
  const profile = new iam.CfnInstanceProfile(new Construct(infrastructureScope, 'InstanceProfile'), 'Resource', { roles: [role.roleName] });
  const infrastructure = new imagebuilder.CfnInfrastructureConfiguration(infrastructureScope, 'Resource', {
    name,
    instanceProfileName: profile.ref,
    instanceTypes: ['t3.medium'],
    terminateInstanceOnFailure: true,
    instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
  });
  const distribution = new imagebuilder.CfnDistributionConfiguration(new Construct(image, 'Distribution'), 'Resource', {
    name,
    distributions: [{ region: stack.region, amiDistributionConfiguration: { Name: `${name}-{{ imagebuilder:buildDate }}` } }],
  });
  const cfnImage = new imagebuilder.CfnImage(image, 'Image', {
    imageRecipeArn: recipe.attrArn,
    infrastructureConfigurationArn: infrastructure.attrArn,
    distributionConfigurationArn: distribution.attrArn,
    imageTestsConfiguration: { imageTestsEnabled: false },
    enhancedImageMetadataEnabled: true,
    tags: { 'cdk-immutable-infra:image': name },
  });
  cfnImage.node.addDependency(role);
};

const MANAGED_POLICIES = ['AmazonSSMManagedInstanceCore', 'EC2InstanceProfileForImageBuilder'];
const IAM4_REASON = 'Image Builder documents these two AWS-managed policies as what its build and test instances need (SSM agent and '
  + 'Image Builder/AWSTOE calls); AWS keeps them current with the services, which a copied inline policy would not be';

function instanceRole(image: Construct): iam.Role {
  const role = new iam.Role(image, 'InstanceRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: 'Image Builder build and test instances: SSM access, Image Builder, and this image\'s own assets',
    managedPolicies: MANAGED_POLICIES.map(p => iam.ManagedPolicy.fromAwsManagedPolicyName(p)),
  });
  // cdk-nag's reasons, in the two forms cdk-nag 3 and cdk-nag 2 read.
  const findings = MANAGED_POLICIES.map(p => `Policy::arn:<AWS::Partition>:iam::aws:policy/${p}`);
  const resource = role.node.defaultChild as CfnResource;
  resource.node.addMetadata('aws:cdk:acknowledged-rules', Object.fromEntries(findings.map(f => [`Annotation::AwsSolutions-IAM4[${f}]`, IAM4_REASON])));
  resource.addMetadata('cdk_nag', { rules_to_suppress: [{ id: 'AwsSolutions-IAM4', reason: IAM4_REASON, applies_to: findings }] });
  return role;
}

/** The stack's one component that fails a bake whose SSM agent would not start at boot. */
function ssmAgentCheck(stack: Stack): imagebuilder.CfnComponent {
  const id = 'CdkImmutableInfraSsmAgentCheckLinux';
  const existing = stack.node.tryFindChild(id)?.node.defaultChild as imagebuilder.CfnComponent | undefined;
  if (existing) {
    return existing;
  }
  const document = componentDocument('validate', 'ssm-agent-enabled', [
    'set -e',
    'for unit in amazon-ssm-agent snap.amazon-ssm-agent.amazon-ssm-agent; do',
    '\'  if systemctl is-enabled --quiet "$unit" 2>/dev/null; then echo "The SSM agent ($unit) starts at boot"; exit 0; fi\'',
    'done',
    '\'echo "The SSM agent (amazon-ssm-agent) is not installed or not enabled at boot: instances of this image cannot be reached through Session Manager" >&2\'',
    'exit 1',
  ]);
  return new imagebuilder.CfnComponent(new Construct(stack, id), 'Resource', {
    name: `${imageName(stack)}-ssm-agent-enabled-linux`,
    version: version(document),
    platform: 'Linux',
    description: 'ssm-agent-enabled (verifySsmAgent), managed by cdk-immutable-infra',
    data: document,
  });
}

/** One step's AWSTOE document, the commands written as YAML scalars as they are given. */
function componentDocument(phase: string, step: string, commands: string[]): string {
  return [
    'schemaVersion: \'1.0\'',
    'phases:',
    `  - name: ${phase}`,
    '    steps:',
    `      - name: ${step}`,
    '        action: ExecuteBash',
    '        inputs:',
    '          commands:',
    ...commands.map(c => `            - ${c}`),
    '',
  ].join('\n');
}

function imageName(scope: Construct): string {
  return Names.uniqueResourceName(scope, { maxLength: 80, separator: '-' }).toLowerCase();
}

function version(content: string): string {
  return `1.0.${parseInt(crypto.createHash('sha256').update(content).digest('hex').slice(0, 7), 16)}`;
}

/**
 * Where the templates two cases synthesise for two images first differ, component and recipe
 * versions aside, or undefined when they are the same.
 */
export function templateDifference(ours: ImageBuilder, byHand: ImageBuilder): string | undefined {
  const [a, b] = [ours, byHand].map(build => {
    const app = new App();
    const stack = new Stack(app, 'Bench', { env: { account: '123456789012', region: 'eu-west-1' } });
    build(stack, 0);
    build(stack, 1);
    const template = app.synth().getStackByName('Bench').template as { Resources: Record<string, { Properties?: Record<string, unknown> }> };
    for (const resource of Object.values(template.Resources)) {
      if (resource.Properties?.Version !== undefined) {
        resource.Properties.Version = '<version>';
      }
    }
    return template;
  });
  return firstDifference(a, b, '');
}

function firstDifference(a: unknown, b: unknown, at: string): string | undefined {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return a === b ? undefined : `${at || 'the template'}: ${JSON.stringify(a)} against ${JSON.stringify(b)}`;
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const key of keys) {
    const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}/${key}`);
    if (found) {
      return found;
    }
  }
  return undefined;
}
