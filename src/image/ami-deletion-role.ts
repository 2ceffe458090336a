import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { imageBuilderServiceRole } from '../private/image-builder-role';
import { nagFinding, suppressNagRule } from '../private/nag-suppressions';

/** The actions of an Image Builder lifecycle policy rule. */
export type LifecycleAction = 'DEPRECATE' | 'DISABLE' | 'DELETE';

/** What one lifecycle rule acts on, as its execution role needs to know. */
export interface LifecycleRuleScope {
  readonly action: LifecycleAction;
  /** The rule includes the builds' AMIs. */
  readonly amis: boolean;
  /** The rule deletes the AMIs' snapshots. */
  readonly snapshots: boolean;
  /** The rule deletes distributed container images. */
  readonly containers: boolean;
}

/**
 * The builds of one image and the EC2 resources they output. Image Builder tags every output
 * AMI `CreatedBy: EC2 Image Builder` and `Ec2ImageBuilderArn: <the image build's ARN>`
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/tag-resources.html), and its own
 * service-linked and lifecycle policies rely on `CreatedBy` on the snapshots too
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/EC2ImageBuilderLifecycleExecutionPolicy.html).
 * Conditioned on both tags, the ARN one naming the image's builds only, an action on AMIs can
 * touch no other image's AMIs.
 */
function imageOutputs(scope: Construct, imageName: string) {
  const stack = Stack.of(scope);
  const builds = stack.formatArn({ service: 'imagebuilder', resource: 'image', resourceName: `${imageName}/*` });
  // Distributed copies live in other Regions: the tags, not the Region, say whose they are.
  const ec2Arn = (resource: string) => stack.formatArn({ service: 'ec2', region: '*', account: '', resource, resourceName: '*' });
  return {
    builds,
    amiArn: ec2Arn('image'),
    snapshotArn: ec2Arn('snapshot'),
    createdByImageBuilder: { 'aws:ResourceTag/CreatedBy': 'EC2 Image Builder' },
    ownOutputs: {
      StringEquals: { 'aws:ResourceTag/CreatedBy': 'EC2 Image Builder' },
      StringLike: { 'aws:ResourceTag/Ec2ImageBuilderArn': builds },
    },
  };
}

/**
 * The role Image Builder deletes an image build with, and deregisters its AMIs and deletes
 * their snapshots, when the image resource goes (amiRemovalPolicy DESTROY): "the IAM role you
 * create that grants Image Builder access to delete the image and its underlying resources"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-imagebuilder-image-deletionsettings.html).
 * AMIs are conditioned on the image's output tags (see imageOutputs); snapshots on `CreatedBy`
 * alone, as AWS's lifecycle policy has them: the docs do not say snapshots carry
 * `Ec2ImageBuilderArn`, and a condition on it would leave every snapshot behind if they do not.
 */
export function amiDeletionRole(image: Construct, imageName: string): iam.Role {
  const outputs = imageOutputs(image, imageName);
  const role = imageBuilderServiceRole(image, 'AmiDeletionRole', {
    description: 'Lets Image Builder deregister this image\'s AMIs and delete their snapshots when the image resource is deleted',
  });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['imagebuilder:GetImage', 'imagebuilder:DeleteImage'], resources: [outputs.builds] }));
  // Describe calls take no resource-level permissions.
  role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeImages', 'ec2:DescribeSnapshots'], resources: ['*'] }));
  role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:DeregisterImage'], resources: [outputs.amiArn], conditions: outputs.ownOutputs }));
  role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:DeleteSnapshot'], resources: [outputs.snapshotArn], conditions: { StringEquals: outputs.createdByImageBuilder } }));
  suppressNagRule(role.node.findChild('DefaultPolicy'), 'AwsSolutions-IAM5',
    'AMI and snapshot ids are only known after each build: the destructive actions are limited by the tags Image Builder puts on '
    + 'this image\'s outputs, the image ARNs to this image\'s builds, and Describe calls take no resource-level permissions',
    ['Resource::*', ...[outputs.builds, outputs.amiArn, outputs.snapshotArn].map(arn => nagFinding(image, 'Resource', arn))]);
  return role;
}

/**
 * The execution role of an image's lifecycle policy, with the permissions its rules need and no
 * more. Image Builder's prerequisites document a role trusted by Image Builder with the
 * AWS-managed EC2ImageBuilderLifecycleExecutionPolicy
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html);
 * its statements
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/EC2ImageBuilderLifecycleExecutionPolicy.html)
 * are granted here action by action, for what each rule does:
 * - every rule: ec2:DescribeImages and tag:GetResources (the policy's own statement, on `*`);
 * - DEPRECATE with AMIs: ec2:EnableImageDeprecation and ec2:DescribeImageAttribute, and
 *   ec2:CreateTags of the `DeprecatedBy: EC2 Image Builder` tag only (the policy's condition);
 * - DISABLE with AMIs: ec2:DisableImage and ec2:DescribeImageAttribute, and ec2:DeleteTags of
 *   that tag only: disabling an AMI that was deprecated removes it ("If the AMI was previously
 *   deprecated, Image Builder removes the deprecated tag",
 *   https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-rules.html);
 * - DELETE: imagebuilder:DeleteImage of this image's builds; with AMIs ec2:DeregisterImage and
 *   ec2:DescribeImageAttribute; with snapshots ec2:DeleteSnapshot; with containers
 *   ecr:BatchGetImage and ecr:BatchDeleteImage in repositories tagged
 *   `LifecycleExecutionAccess: EC2 Image Builder` (the prerequisite for container images).
 * The reverse actions the managed policy also holds (EnableImage, DisableImageDeprecation)
 * undo a rule's work and no rule of the policy needs them. AMI actions are limited to
 * this image's builds by their output tags; snapshots by `CreatedBy` alone, as in the managed
 * policy, since the docs do not say snapshots carry the build ARN and a stricter condition would
 * fail every snapshot deletion if they do not.
 */
export function lifecycleExecutionRole(scope: Construct, id: string, imageName: string, rules: LifecycleRuleScope[]): iam.Role {
  const outputs = imageOutputs(scope, imageName);
  const role = imageBuilderServiceRole(scope, id, {
    description: `Image Builder lifecycle execution: ${[...new Set(rules.map(r => r.action.toLowerCase()))].join(', ')} old builds of ${imageName}`,
  });
  const grant = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
    role.addToPolicy(new iam.PolicyStatement({ actions, resources, conditions }));
  const on = (action: LifecycleAction) => rules.find(r => r.action === action);
  const amiActions = [
    ...(on('DEPRECATE')?.amis ? ['ec2:EnableImageDeprecation'] : []),
    ...(on('DISABLE')?.amis ? ['ec2:DisableImage'] : []),
    ...(on('DELETE')?.amis ? ['ec2:DeregisterImage'] : []),
  ];
  const findings: string[] = [];

  grant(['ec2:DescribeImages', 'tag:GetResources'], ['*']);
  if (amiActions.length > 0) {
    grant([...amiActions, 'ec2:DescribeImageAttribute'], [outputs.amiArn], outputs.ownOutputs);
    findings.push(outputs.amiArn);
  }
  const deprecationTag = [...(on('DEPRECATE')?.amis ? ['ec2:CreateTags'] : []), ...(on('DISABLE')?.amis ? ['ec2:DeleteTags'] : [])];
  if (deprecationTag.length > 0) {
    grant(deprecationTag, [outputs.amiArn, outputs.snapshotArn], {
      'StringEquals': { 'aws:RequestTag/DeprecatedBy': 'EC2 Image Builder', ...outputs.createdByImageBuilder },
      'ForAllValues:StringEquals': { 'aws:TagKeys': 'DeprecatedBy' },
    });
    findings.push(outputs.snapshotArn);
  }
  const deletion = on('DELETE');
  if (deletion) {
    grant(['imagebuilder:DeleteImage'], [outputs.builds]);
    findings.push(outputs.builds);
  }
  if (deletion?.snapshots) {
    grant(['ec2:DeleteSnapshot'], [outputs.snapshotArn], { StringEquals: outputs.createdByImageBuilder });
    findings.push(outputs.snapshotArn);
  }
  if (deletion?.containers) {
    const repositories = Stack.of(scope).formatArn({ service: 'ecr', region: '*', account: '*', resource: 'repository', resourceName: '*' });
    grant(['ecr:BatchGetImage', 'ecr:BatchDeleteImage'], [repositories],
      { StringEquals: { 'ecr:ResourceTag/LifecycleExecutionAccess': 'EC2 Image Builder' } });
    findings.push(repositories);
  }
  suppressNagRule(role.node.findChild('DefaultPolicy'), 'AwsSolutions-IAM5',
    'Lifecycle rules act on AMIs, snapshots and builds made after deployment: AMI actions are limited by the tags Image Builder puts on '
    + 'this image\'s outputs, snapshots and repositories by the tags AWS\'s lifecycle policy requires, builds to this image\'s, and '
    + 'DescribeImages and tag:GetResources take no resource-level permissions',
    ['Resource::*', ...[...new Set(findings)].map(arn => nagFinding(scope, 'Resource', arn))]);
  return role;
}
