import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { GoldenImage, ParentImage, Provisioner } from '../src';

/**
 * The benchmark's image, written each way: one Amazon Linux 2023 image with one shell step
 * that installs nginx, built during deployment.
 */
export type ImageBuilder = (stack: Stack, index: number) => void;

const INSTALL_NGINX = ['dnf install -y nginx', 'systemctl enable nginx'];

/** This library. */
export const goldenImage: ImageBuilder = (stack, index) => {
  new GoldenImage(stack, `Web${index}`, {
    parentImage: ParentImage.amazonLinux2023(),
    provisioners: [Provisioner.shell({ name: 'install-nginx', commands: INSTALL_NGINX })],
  });
};

/** The floor: the same image with aws-cdk-lib's L1 Image Builder classes, written by hand. */
export const l1Floor: ImageBuilder = (stack, index) => {
  const name = `web-${index}`;
  const component = new imagebuilder.CfnComponent(stack, `Component${index}`, {
    name: `${name}-install-nginx`,
    version: '1.0.0',
    platform: 'Linux',
    data: [
      'schemaVersion: 1.0',
      'phases:',
      '  - name: build',
      '    steps:',
      '      - name: install-nginx',
      '        action: ExecuteBash',
      '        inputs:',
      '          commands:',
      ...INSTALL_NGINX.map(c => `            - ${c}`),
    ].join('\n'),
  });
  const recipe = new imagebuilder.CfnImageRecipe(stack, `Recipe${index}`, {
    name,
    version: '1.0.0',
    parentImage: `arn:${stack.partition}:imagebuilder:${stack.region}:aws:image/amazon-linux-2023-x86/x.x.x`,
    components: [{ componentArn: component.attrArn }],
  });
  const role = new iam.Role(stack, `Role${index}`, {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    managedPolicies: [
      iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
      iam.ManagedPolicy.fromAwsManagedPolicyName('EC2InstanceProfileForImageBuilder'),
    ],
  });
  const profile = new iam.CfnInstanceProfile(stack, `Profile${index}`, { roles: [role.roleName] });
  const infra = new imagebuilder.CfnInfrastructureConfiguration(stack, `Infra${index}`, {
    name,
    instanceProfileName: profile.ref,
    instanceTypes: ['t3.medium'],
    instanceMetadataOptions: { httpTokens: 'required' },
  });
  const distribution = new imagebuilder.CfnDistributionConfiguration(stack, `Distribution${index}`, {
    name,
    distributions: [{ region: stack.region, amiDistributionConfiguration: { Name: `${name}-{{ imagebuilder:buildDate }}` } }],
  });
  new imagebuilder.CfnImage(stack, `Image${index}`, {
    imageRecipeArn: recipe.attrArn,
    infrastructureConfigurationArn: infra.attrArn,
    distributionConfigurationArn: distribution.attrArn,
  });
};
