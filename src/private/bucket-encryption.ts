import { Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * How a bucket is encrypted with KMS keys, when the app says so: an `encryptionKey` (a customer
 * key, or one an imported bucket was given), or a bucket of the app whose default encryption
 * is `aws:kms` (`BucketEncryption.KMS_MANAGED`) or `aws:kms:dsse`. Undefined otherwise, also for
 * an imported bucket without a key, whose encryption the app does not know.
 */
export function kmsEncryption(bucket: s3.IBucket): string | undefined {
  if (bucket.encryptionKey) {
    return `SSE-KMS (the key ${bucket.encryptionKey.node.path})`;
  }
  const resource = bucket.node.defaultChild;
  if (!(resource instanceof s3.CfnBucket) || !resource.bucketEncryption || Token.isUnresolved(resource.bucketEncryption)) {
    return undefined;
  }
  type Rule = s3.CfnBucket.ServerSideEncryptionRuleProperty;
  type ByDefault = s3.CfnBucket.ServerSideEncryptionByDefaultProperty;
  const rules = (resource.bucketEncryption as s3.CfnBucket.BucketEncryptionProperty).serverSideEncryptionConfiguration;
  const algorithms = Token.isUnresolved(rules) ? [] : (rules as Rule[])
    .map(rule => Token.isUnresolved(rule) ? undefined : (rule.serverSideEncryptionByDefault as ByDefault | undefined)?.sseAlgorithm);
  const kms = algorithms.find(algorithm => typeof algorithm === 'string' && algorithm.startsWith('aws:kms'));
  return kms ? `${kms === 'aws:kms' ? 'SSE-KMS' : 'DSSE-KMS'} (${kms})` : undefined;
}
