import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * A golden container image: a container image baked from a parent image by provisioners and
 * pushed to an Amazon ECR repository.
 */
export interface IGoldenContainerImage extends IConstruct {
  /** The repository the image is pushed to. */
  readonly repository: ecr.IRepository;

  /**
   * The URI of the image built at deploy time, in the build region. It changes with every bake.
   *
   * @attribute
   */
  readonly imageUri: string;

  /**
   * The digest (`sha256:…`) of the image built at deploy time. It changes with every bake.
   *
   * @attribute
   */
  readonly imageDigest: string;

  /**
   * The image as an `ecs.ContainerImage`, for ECS task definitions: pulled by its URI, with
   * pull access granted to the task's execution role.
   */
  readonly containerImage: ecs.ContainerImage;

  /**
   * A stable hash of everything that makes the image what it is (parent, component documents,
   * Dockerfile, recipe settings, rebuild key), known at synth time.
   */
  readonly imageKey: string;

  /**
   * The ARN to use as a parent for another container recipe: the image build version when the
   * image bakes at deploy, otherwise the recipe's latest output.
   */
  readonly parentImageArn: string;

  /** The reference of the image this one is baked from, at the start of a chain of golden container images. */
  readonly parentReference: string;

  /** Lets `grantee` pull the image (and every other image in its repository). */
  grantPull(grantee: iam.IGrantable): iam.Grant;
}
