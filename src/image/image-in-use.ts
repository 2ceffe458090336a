import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { suppressProviderFindings } from './vm-export';
import { contentHash } from '../private/hash';
import { nagFinding, suppressNagRule } from '../private/nag-suppressions';

/**
 * The tag on an AMI that a live generation of an ImmutableDeployment launches. The retirement's
 * disable and delete rules exclude AMIs carrying it, so a fleet's AMI is never made unlaunchable
 * under it (a deleted or disabled AMI would fail every scale-out and instance replacement).
 */
export const IN_USE_TAG = { key: 'cdk-immutable-infra:in-use', value: 'true' };

/**
 * Tags the AMI a deployment launches with IN_USE_TAG, for as long as the deployment launches it.
 *
 * The tag is tied to CloudFormation's lifecycle rather than set by the release controller: the
 * physical id names the AMI, so a new AMI replaces the resource: the new AMI is tagged in the
 * stack update that rolls it out (the lifecycle policy runs once a day), and CloudFormation
 * untags the old one only in the cleanup phase, after the release has moved every instance off
 * it; a failed release rolls back without ever deleting the old resource, so the AMI the fleet
 * returns to keeps its tag. A release controller tagging at release time would need its own undo
 * on every failure path.
 *
 * Limit: the tag is one key and value, so it counts no users. (Lifecycle actions "don't apply to
 * AMIs that have any of these tags. Both the key and the value must match",
 * https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_LifecyclePolicyDetailExclusionRulesAmis.html;
 * a tag per deployment would need every key in the policy, which a pipeline in another stack
 * cannot know.) When two
 * deployments launch the same AMI and one moves to a newer AMI, the tag goes while the other
 * still launches it; the rules' `keepImagesLaunchedWithin` window then still spares that AMI as
 * long as its fleet launched an instance within the window.
 */
export function tagImageInUse(deployment: Construct, imageId: string): void {
  const stack = Stack.of(deployment);
  const tags = [{ Key: IN_USE_TAG.key, Value: IN_USE_TAG.value }];
  const images = stack.formatArn({ service: 'ec2', account: '', resource: 'image', resourceName: '*' });
  // A new AMI is a new physical id, so CloudFormation replaces the resource. Another stack reads
  // the AMI id through an SSM dynamic reference, one parameter per bake: its hash names the AMI
  // then, and the reference appears once in the call, never followed by `}}` of the JSON (the
  // template validator otherwise misreads where the reference ends).
  const amiKey = Token.isUnresolved(imageId) ? imageId : contentHash('in-use-ami', imageId).slice(0, 16);
  const call = (action: string): cr.AwsSdkCall => ({
    service: 'EC2',
    action,
    parameters: { Resources: [imageId], Tags: tags },
    physicalResourceId: cr.PhysicalResourceId.of(`${IN_USE_TAG.key}:${amiKey}`),
    logging: cr.Logging.withDataHidden(),
  });
  const resource = new cr.AwsCustomResource(deployment, 'ImageInUseTag', {
    onUpdate: call('createTags'),
    onDelete: call('deleteTags'),
    // CreateTags and DeleteTags of this one tag on AMIs
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
    policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
      actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
      resources: [images],
      conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [IN_USE_TAG.key] } },
    })]),
    installLatestAwsSdk: false,
  });
  suppressNagRule(resource.node.findChild('CustomResourcePolicy'), 'AwsSolutions-IAM5',
    'the AMI id is only known at deployment: tagging is limited to AMIs and to the one in-use tag key',
    [nagFinding(deployment, 'Resource', images)]);
  suppressProviderFindings(stack);
}
