import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { ImageBuilder } from './bench-case';
import { al2023ParentArn, INSTALL_NGINX } from './benchmark-image';

/**
 * The floor: the same image with aws-cdk-lib's L1 Image Builder classes, written by hand
 * (IMDSv2 on, nothing else beyond what Image Builder requires).
 */
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
    parentImage: al2023ParentArn(stack),
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
