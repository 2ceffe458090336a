import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { BuildInfrastructure, ImageBuildLogging } from './build-infrastructure';
import { ImageSettings, TEST_TIMEOUT_MINUTES, checkTestTimeout } from './image-settings';
import { invalidProp } from '../private/errors';
import { Provisioner } from '../provisioning/provisioner';

/**
 * What every golden image (a GoldenImage's AMI, a GoldenContainerImage's container image)
 * is built from and with: the steps, the build instances and when it bakes.
 */
export interface ImageBuildOptions {
  /**
   * Build steps, run in order on the build instance (Packer's provisioners); for a container
   * image, inside the container as it is built.
   *
   * @default - none; then validations (or, for an AMI, tests) must be given
   */
  readonly provisioners?: Provisioner[];

  /**
   * Validation steps, run after every build step, before the image is made.
   *
   * @default - none
   */
  readonly validations?: Provisioner[];

  /**
   * Test steps, run on a fresh instance launched from the new AMI (for a container image, in a
   * container run from it); the image is only published when they pass.
   *
   * @default - none
   */
  readonly tests?: Provisioner[];

  /**
   * A description of the image, used for the recipe and the image.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * Instance types for the build and test instances; Image Builder uses the first available.
   *
   * @default - t3.medium (t4g.medium for an arm64 parent AMI)
   */
  readonly instanceTypes?: ec2.InstanceType[];

  /**
   * The VPC of the build and test instances. They need outbound access to SSM and S3 (a NAT
   * gateway or VPC endpoints).
   *
   * @default - the account's default VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Which subnet of the VPC to use (Image Builder takes one).
   *
   * @default - the VPC's default selection (private subnets first)
   */
  readonly subnetSelection?: ec2.SubnetSelection;

  /**
   * Security groups of the build and test instances.
   *
   * @default - with a VPC, a new group with no inbound rules; without, the default VPC's default group
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The role of the build and test instances. It gets read access to this image's own assets.
   *
   * @default - a role with AmazonSSMManagedInstanceCore and EC2InstanceProfileForImageBuilder (and EC2InstanceProfileForImageBuilderECRContainerBuilds for a container image), and read access to this image's assets only
   */
  readonly role?: iam.IRole;

  /**
   * Where the build writes its logs.
   *
   * @default - no S3 logs (CloudWatch Logs through the instance profile policy)
   */
  readonly logging?: ImageBuildLogging;

  /**
   * Terminate the build instance when the build fails. Set false to debug a failed build
   * through SSM Session Manager (Packer's `-on-error=abort`).
   *
   * @default true
   */
  readonly terminateInstanceOnFailure?: boolean;

  /**
   * The folder where provisioners stage files on the build instance (Packer's `remote_folder`);
   * matters where /tmp (or, for an image's scripts, /var/tmp) is mounted noexec, as CIS-hardened
   * parents do. When set, `Provisioner.shellScript` downloads its scripts there too: name a folder
   * that a restart keeps if a script asks for one.
   *
   * @default - Image Builder's default (/tmp on Linux). Scripts of `Provisioner.shellScript` go to
   * /var/tmp in an image, which a restart keeps (a script that exits 194 is run again from where it
   * was downloaded), and to /tmp in a container image
   */
  readonly workingDirectory?: string;

  /**
   * Bake the image during `cdk deploy`, so its id (`imageId`, or a container image's
   * `imageUri`) can be used in the same stack. Set false
   * to leave baking to an image pipeline.
   *
   * @default true
   */
  readonly buildOnDeploy?: boolean;

  /**
   * Change this value to force a fresh bake of an otherwise unchanged image (for example to pick
   * up new packages from the parent's repositories).
   *
   * @default - none
   */
  readonly rebuildKey?: string;

  /**
   * How long the test phase may take: a whole number of minutes from one hour to one day.
   * Image Builder documents the setting as not enforced yet.
   *
   * @default Duration.hours(24) (Image Builder's maximum)
   */
  readonly testTimeout?: Duration;

  /**
   * A key pair on the build instance, for debugging only: the library otherwise uses SSM
   * Session Manager and opens no SSH port.
   *
   * @default - none
   */
  readonly keyPair?: ec2.IKeyPair;

  /**
   * A topic told about every build's state changes.
   *
   * @default - none
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * Tags on the instances Image Builder launches to build and test the image (the
   * infrastructure configuration's ResourceTags), for cost allocation or access policies.
   *
   * @default - Image Builder's own tags only
   */
  readonly buildInstanceTags?: { [key: string]: string };
}

/** Checks the options every golden image shares (tokens pass). */
export function checkBuildOptions(scope: IConstruct, props: ImageBuildOptions): void {
  const steps = (props.provisioners?.length ?? 0) + (props.validations?.length ?? 0) + (props.tests?.length ?? 0);
  if (steps === 0) {
    invalidProp(scope, 'provisioners', [], 'an image needs at least one provisioner, validation or test: Image Builder refuses a recipe with no components, and an image without changes is its parent',
      'Add provisioners (e.g. Provisioner.updateOs()), or use the parent image directly');
  }
  if (props.rebuildKey !== undefined && Token.isUnresolved(props.rebuildKey)) {
    invalidProp(scope, 'rebuildKey', props.rebuildKey, 'the rebuild key is hashed at synth time and a token has no stable value',
      'Give a literal string (for example a date or a counter you change to force a bake)');
  }
  checkTestTimeout(scope, props.testTimeout);
  checkDescription(scope, 'description', props.description);
  if (props.notificationTopic) {
    checkNotificationTopic(scope, 'notificationTopic', props.notificationTopic);
  }
  if (props.workingDirectory !== undefined && !Token.isUnresolved(props.workingDirectory)
    && !/^(\/|[A-Za-z]:\\)/.test(props.workingDirectory)) {
    invalidProp(scope, 'workingDirectory', props.workingDirectory, 'the working directory must be an absolute path', 'Give a path such as \'/opt/build\'');
  }
}

/** The settings every build of the image shares, from the options every golden image has. */
export function buildSettings(props: ImageBuildOptions, enhancedImageMetadata: boolean): ImageSettings {
  const tests = (props.tests?.length ?? 0) > 0;
  return {
    tests,
    testTimeoutMinutes: tests ? props.testTimeout?.toMinutes() ?? TEST_TIMEOUT_MINUTES.max : undefined,
    enhancedImageMetadata,
  };
}

/** The image's build infrastructure (`Infrastructure` in `image`) from the options every golden image shares. */
export function createBuildInfrastructure(image: Construct, props: ImageBuildOptions,
  settings: { readonly name: string; readonly role: iam.IRole; readonly instanceTypes: string[] }): BuildInfrastructure {
  return new BuildInfrastructure(image, 'Infrastructure', {
    ...settings,
    description: props.description,
    vpc: props.vpc,
    subnetSelection: props.subnetSelection,
    securityGroups: props.securityGroups,
    logging: props.logging,
    terminateInstanceOnFailure: props.terminateInstanceOnFailure ?? true,
    keyPair: props.keyPair,
    snsTopic: props.notificationTopic,
    resourceTags: props.buildInstanceTags,
  });
}

/**
 * A description Image Builder takes: 1 to 1,024 characters (the recipe's, the infrastructure
 * configuration's, the pipeline's and the AMI's, which the library copies it to;
 * https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateImageRecipe.html).
 */
export function checkDescription(scope: IConstruct, prop: string, description: string | undefined): void {
  if (description !== undefined && !Token.isUnresolved(description) && (description.length === 0 || description.length > 1024)) {
    invalidProp(scope, prop, description, `Image Builder takes a description of 1 to 1,024 characters, and this one has ${description.length}`,
      description.length === 0 ? `Leave ${prop} out` : 'Shorten it');
  }
}

/**
 * "Image Builder doesn't support FIFO topics"
 * (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateInfrastructureConfiguration.html, snsTopicArn).
 */
export function checkNotificationTopic(scope: IConstruct, prop: string, topic: sns.ITopic): void {
  if (topic.fifo) {
    invalidProp(scope, prop, topic.node.path, 'Image Builder notifies standard topics only, and this one is FIFO', 'Give a standard (non-FIFO) topic');
  }
}
