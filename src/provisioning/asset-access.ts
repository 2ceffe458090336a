import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';

/**
 * Lets the build instance read one asset, and nothing else in the assets bucket.
 * `Asset.grantRead()` grants the whole bucket (every asset of every stack bootstrapped in the
 * account and region); AWSTOE's S3Download of a single object needs only `s3:GetObject` on it.
 */
export function grantAssetRead(asset: s3assets.Asset, grantee: iam.IGrantable): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:GetObject'],
    resourceArns: [asset.bucket.arnForObjects(asset.s3ObjectKey)],
  });
}
