/**
 * The tag the library puts on every Image Builder image (build) of a golden image, deploy-time
 * or pipeline-built, valued with the image's name. Lifecycle policies select an image's builds
 * by it, since CloudFormation does not take version wildcards in recipe selections.
 */
export const BUILD_TAG_KEY = 'cdk-immutable-infra:image';

/** The tag of the builds of the image named `imageName`. */
export function buildTag(imageName: string): { [key: string]: string } {
  return { [BUILD_TAG_KEY]: imageName };
}
