import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { OsFamily } from './os-family';

/**
 * A golden image: an AMI baked from a parent image by provisioners.
 */
export interface IGoldenImage extends IConstruct {
  /**
   * The AMI id of the image built at deploy time. It changes with every bake: use it in the
   * image's own stack; elsewhere use `machineImage` (or `DeploymentImage.fromGoldenImage`).
   *
   * @attribute
   */
  readonly imageId: string;

  /**
   * The ARN of the Image Builder image (build version) that produced the AMI. It changes with
   * every bake: use it in the image's own stack only.
   *
   * @attribute
   */
  readonly imageArn: string;

  /**
   * A stable hash of everything that makes the image what it is: the parent, the rendered
   * component documents, asset contents, recipe settings and the rebuild key, and the
   * deploy-time build's tests and workflows. Known at synth time, so deployments key their
   * generations by it.
   */
  readonly imageKey: string;

  /**
   * The image as an `ec2.IMachineImage`, usable by any CDK construct that launches instances,
   * in any stack. In a stack of another deployment (another stack, region or account the image
   * is distributed to) the AMI id is read from the SSM parameter the image's distribution
   * writes there for each bake, so no per-bake value becomes a stack export.
   */
  readonly machineImage: ec2.IMachineImage;

  /** The operating system family of the image. */
  readonly osFamily: OsFamily;

  /** The processor architecture of the image. */
  readonly architecture: ec2.InstanceArchitecture;

  /**
   * Whether the AMI keeps the SSM agent that Session Manager needs (see GoldenImageProps.keepSsmAgent).
   */
  readonly keepsSsmAgent: boolean;

  /** The device name of the image's root volume, so instances launched from it can size and encrypt the root. */
  readonly rootDeviceName: string;

  /**
   * The ARN to use as a parent for another image recipe (cascading images): the image
   * build version when the image bakes at deploy, otherwise the recipe's latest output.
   */
  readonly parentImageArn: string;

  /**
   * The user Provisioner.vagrantGuest() installed a login key for, in this image or an image
   * it cascades from. Fleets must not launch such an image.
   *
   * @default - none: the image carries no login key of the library's making
   */
  readonly vagrantGuestUser?: string;

  /**
   * Whether the AMI's root snapshot is encrypted. VM Import/Export cannot export such an AMI,
   * nor one baked from it.
   *
   * @default - unknown
   */
  readonly rootVolumeEncrypted?: boolean;
}
