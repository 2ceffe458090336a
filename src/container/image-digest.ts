import { Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { suppressProviderFindings } from '../image/vm-export';

/** The lookup's construct id under its owner: there is at most one per owner. */
const LOOKUP_ID = 'ImageDigest';

/** Where DescribeImages puts the digest of the one image asked for (the handler flattens the response). */
const DIGEST_PATH = 'imageDetails.0.imageDigest';

/**
 * The digest (`sha256:…`) of the container image at `imageUri`, an `AWS::ImageBuilder::Image`'s
 * `ImageUri` in `owner`'s stack, read at deploy time by an ECR DescribeImages call. The lookup
 * is created on the first call for an owner and shared by later ones, so a stack that never
 * reads a digest carries no lookup resource.
 *
 * Why a lookup: `AWS::ImageBuilder::Image` returns `Arn`, `ImageId`, `ImageUri`, `Name` and
 * `LatestVersion.*`, no digest (its CloudFormation resource specification, as aws-cdk-lib's
 * CfnImage renders it;
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-imagebuilder-image.html).
 * Its documentation is silent on the form of `ImageUri`; the resource's own
 * provider, aws-cloudformation/aws-cloudformation-resource-providers-imagebuilder,
 * image/src/main/java/software/amazon/imagebuilder/image/Translator.java
 * (`translateToCfnModelImageUri`), returns the build region's image URI that ends with the image's
 * build version with `/` made `-`: `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:1.0.0-1`.
 * The tag is therefore the text after the URI's one `:` (an ECR registry host has no port),
 * and the registry id the host's first label. The tag is taken from the URI rather than rebuilt
 * from the image ARN's version: the lookup then names exactly the image the URI names, and does
 * not repeat the provider's `/`-to-`-` rule. Should a URI ever carry a digest instead of a tag,
 * the tag read is no tag of the repository and the lookup fails the deployment
 * (ImageNotFoundException) rather than return another image's digest.
 *
 * The call: DescribeImages with repositoryName, registryId and imageIds `[{ imageTag }]` answers
 * `imageDetails[].imageDigest`
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImages.html;
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/example_ecr_DescribeImages_section.html).
 * IAM: `ecr:DescribeImages`, resource type `repository`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html).
 * A container recipe's TargetRepository names a repository only, never an account or region
 * (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_TargetContainerRepository.html),
 * so Image Builder pushes to the build account's registry in the build region: the policy names
 * that repository.
 *
 * @param owner the construct whose attribute the digest is (it becomes the lookup's parent)
 * @param imageUri the image's `ImageUri` attribute (unguarded: the lookup lives in its stack)
 * @param repositoryName the name of the repository the image was pushed to
 */
export function containerImageDigest(owner: Construct, imageUri: string, repositoryName: string): string {
  const existing = owner.node.tryFindChild(LOOKUP_ID);
  const lookup = existing instanceof cr.AwsCustomResource ? existing : createLookup(owner, imageUri, repositoryName);
  return lookup.getResponseField(DIGEST_PATH);
}

function createLookup(owner: Construct, imageUri: string, repositoryName: string): cr.AwsCustomResource {
  const stack = Stack.of(owner);
  const repositoryArn = stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: repositoryName });
  const describe: cr.AwsSdkCall = {
    service: 'ECR',
    action: 'describeImages',
    parameters: {
      repositoryName,
      registryId: Fn.select(0, Fn.split('.', imageUri)),
      imageIds: [{ imageTag: Fn.select(1, Fn.split(':', imageUri)) }],
    },
    // A new bake is a new ImageUri, so an update runs the call again. The digest names the
    // resource: a new digest is a replacement, and the old resource's delete calls nothing. A
    // custom resource's response body is at most 4096 bytes and an image's details hold its
    // tags and scan summary, so only the digest is kept
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
    physicalResourceId: cr.PhysicalResourceId.fromResponse(DIGEST_PATH),
    outputPaths: [DIGEST_PATH],
  };
  const lookup = new cr.AwsCustomResource(owner, LOOKUP_ID, {
    onUpdate: describe,
    policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
      actions: ['ecr:DescribeImages'],
      resources: [repositoryArn],
    })]),
    installLatestAwsSdk: false,
  });
  suppressProviderFindings(stack);
  return lookup;
}
