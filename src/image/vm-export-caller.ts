import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** Why the caller of ExportImage may act on any resource and the objects under the prefix. */
export const EXPORT_CALLER_REASON = 'ec2:ExportImage on any resource as AWS documents it, and the objects under the prefix, where VM Import/Export names the file';

/** The disk's description in the export task. */
export function exportDescription(imageName: string): string {
  return `${imageName} (cdk-immutable-infra)`;
}

/**
 * What the caller of ExportImage needs, per "Required permissions"
 * (https://docs.aws.amazon.com/vm-import/latest/userguide/required-permissions.html#iam-permissions-image):
 * the page's example grants s3:GetBucketLocation, s3:GetObject and s3:PutObject on the bucket
 * and its objects, and ec2:ExportImage (among the import actions an export does not call) on
 * any resource. Here the object actions are scoped to the prefix.
 *
 * The page lists no iam:PassRole for the service role that RoleName names; Image Builder's own
 * service-linked role, which calls ExportImage for its S3 exports, is given iam:PassRole with
 * `iam:PassedToService` vmie.amazonaws.com
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/security-iam-awsmanpol.html#sec-iam-manpol-AWSServiceRoleForImageBuilder).
 * Safe side: the caller may pass this one role, to VM Import/Export only.
 */
export function exportCallerStatements(bucket: s3.IBucket, prefix: string, role: iam.IRole): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ actions: ['ec2:ExportImage'], resources: ['*'] }),
    new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [bucket.bucketArn] }),
    new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [bucket.arnForObjects(`${prefix}*`)] }),
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'vmie.amazonaws.com' } },
    }),
  ];
}
