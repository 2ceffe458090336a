import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Where the deployment's own load balancer writes its access logs.
 */
export interface AccessLogOptions {
  /**
   * The bucket, in the load balancer's region. It must use SSE-S3 (S3-managed keys)
   * encryption, which is what Elastic Load Balancing can write to (a bucket of the app
   * encrypted with KMS keys fails synth); CDK adds the bucket policy that lets the load
   * balancer write.
   */
  readonly bucket: s3.IBucket;

  /**
   * A prefix for the log objects, without `AWSLogs` and without a slash at either end (the
   * load balancer writes to `<prefix>/AWSLogs/<account>/...`).
   *
   * @default - no prefix
   */
  readonly prefix?: string;
}
