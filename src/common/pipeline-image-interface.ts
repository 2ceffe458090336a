import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * An image an ImagePipeline rebakes with the image's own recipe, infrastructure and
 * distribution: a GoldenImage (an AMI) or a GoldenContainerImage (a container image in ECR).
 */
export interface IPipelineImage extends IConstruct {
  /** The base name of the image's Image Builder resources. */
  readonly imageName: string;

  /** The ARN of the image's infrastructure configuration. */
  readonly infrastructureConfigurationArn: string;

  /** The ARN of the image's distribution configuration. */
  readonly distributionConfigurationArn: string;

  /** The role of the image's build and test instances. */
  readonly role: iam.IRole;
}
