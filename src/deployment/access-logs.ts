import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Where the deployment's own load balancer writes its access logs.
 */
export interface AccessLogOptions {
  /**
   * The bucket. It must use SSE-S3 (S3-managed keys) encryption, which is what Elastic Load
   * Balancing can write to; CDK adds the bucket policy that lets the load balancer write.
   */
  readonly bucket: s3.IBucket;

  /**
   * A prefix for the log objects.
   *
   * @default - no prefix
   */
  readonly prefix?: string;
}
