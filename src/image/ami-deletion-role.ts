import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { imageBuilderServiceRole } from '../private/image-builder-role';
import { nagFinding, suppressNagRule } from '../private/nag-suppressions';

/**
 * The role Image Builder deregisters an image's AMIs and deletes their snapshots with when
 * the image resource goes (amiRemovalPolicy DESTROY). Image Builder tags every output AMI
 * `CreatedBy: EC2 Image Builder` and `Ec2ImageBuilderArn: <the image build's ARN>`
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/tag-resources.html), and its own
 * service-linked and lifecycle policies rely on `CreatedBy` on the snapshots too
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/EC2ImageBuilderLifecycleExecutionPolicy.html).
 * Both destructive actions are conditioned on both tags, the ARN one naming the image's
 * builds only, so the role can touch no other AMI or snapshot. The docs are silent on
 * whether snapshots carry `Ec2ImageBuilderArn`; if they do not, a snapshot of an already
 * deregistered AMI stays behind, which costs storage and never deletes anyone else's data.
 */
export function amiDeletionRole(image: Construct, imageName: string): iam.Role {
  const stack = Stack.of(image);
  const role = imageBuilderServiceRole(image, 'AmiDeletionRole', {
    description: 'Lets Image Builder deregister this image\'s AMIs and delete their snapshots when the image resource is deleted',
  });
  const builds = stack.formatArn({ service: 'imagebuilder', resource: 'image', resourceName: `${imageName}/*` });
  const ownOutputs = {
    StringEquals: { 'aws:ResourceTag/CreatedBy': 'EC2 Image Builder' },
    StringLike: { 'aws:ResourceTag/Ec2ImageBuilderArn': builds },
  };
  // Distributed copies live in other Regions: the tags, not the Region, say whose they are.
  const ec2Arn = (resource: string) => stack.formatArn({ service: 'ec2', region: '*', account: '', resource, resourceName: '*' });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['imagebuilder:GetImage'], resources: [builds] }));
  // Describe calls take no resource-level permissions.
  role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeImages', 'ec2:DescribeSnapshots'], resources: ['*'] }));
  role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:DeregisterImage'], resources: [ec2Arn('image')], conditions: ownOutputs }));
  role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:DeleteSnapshot'], resources: [ec2Arn('snapshot')], conditions: ownOutputs }));
  suppressNagRule(role.node.findChild('DefaultPolicy'), 'AwsSolutions-IAM5',
    'AMI and snapshot ids are only known after each build: the destructive actions are limited by the tags Image Builder puts on '
    + 'this image\'s outputs, the image ARNs to this image\'s builds, and Describe calls take no resource-level permissions',
    ['Resource::*', ...[builds, ec2Arn('image'), ec2Arn('snapshot')].map(arn => nagFinding(image, 'Resource', arn))]);
  return role;
}
