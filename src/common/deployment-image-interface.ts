import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, IConstruct } from 'constructs';
import { OsFamily } from './os-family';
import { invalidProp } from '../private/errors';

/**
 * An image an ImmutableDeployment launches its instances from. `GoldenImage` implements it,
 * and `DeploymentImage.from*()` returns one for an AMI id, an SSM parameter or any
 * `ec2.IMachineImage` (as aws-cdk-lib's images implement `ec2.IMachineImage`).
 */
export interface IDeploymentImage {
  /**
   * What a deployment in `scope` launches from this image. Called once per deployment, while
   * the deployment is constructed.
   */
  bindForDeployment(scope: Construct): DeploymentImageConfig;
}

/**
 * What a deployment needs to know about its image.
 */
export interface DeploymentImageConfig {
  /** The AMI id for the launch template (may be a token). */
  readonly imageId: string;

  /** The operating system family of the AMI: it chooses the default user data. */
  readonly osFamily: OsFamily;

  /**
   * The processor architecture of the AMI. The deployment checks its instance type against it.
   *
   * @default - unknown, not checked
   */
  readonly architecture?: ec2.InstanceArchitecture;

  /**
   * What the image is, fixed at synth time. Generations are keyed by it, so a new value rolls
   * out a new generation.
   *
   * @default - none: the AMI id is only known at deploy time, and the deployment needs its own `generationKey`
   */
  readonly identity?: string;

  /** The AMI's root device name, where the launch template puts the encrypted root volume. */
  readonly rootDeviceName: string;

  /**
   * True when `rootDeviceName` is the library's guess (a Linux AMI given by id, or by an SSM
   * parameter the library does not know): the deployment then warns, unless its own
   * `rootVolume.deviceName` names the device.
   *
   * @default false
   */
  readonly rootDeviceNameAssumed?: boolean;

  /**
   * Whether the AMI keeps the SSM agent that Session Manager needs. False makes the deployment warn.
   *
   * @default - unknown
   */
  readonly keepsSsmAgent?: boolean;

  /** How the image was given, for messages (for example `DeploymentImage.fromAmiId()`). */
  readonly description: string;
}

/** What a golden image tells a deployment; IGoldenImage has all of it. */
interface BakedImage extends IConstruct {
  readonly machineImage: ec2.IMachineImage;
  readonly osFamily: OsFamily;
  readonly architecture: ec2.InstanceArchitecture;
  readonly imageKey: string;
  readonly rootDeviceName: string;
  readonly keepsSsmAgent: boolean;
  readonly vagrantGuestUser?: string;
}

/** A golden image of this app that wants to know which deployments launch its AMI (to keep it while they do). */
interface TrackedImage {
  _useInDeployment(deployment: Construct, imageId: string): void;
}

/**
 * A golden image as a deployment sees it: keyed by the image's content hash, so a change to a
 * provisioner rolls out a new fleet. In another stack, region or account the AMI id is the
 * one this bake published there. The one copy behind both `GoldenImage.bindForDeployment` and
 * `DeploymentImage.fromGoldenImage`.
 */
export function bakedImageConfig(scope: Construct, image: BakedImage, description: string): DeploymentImageConfig {
  if (image.vagrantGuestUser !== undefined) {
    invalidProp(scope, 'image', description,
      `the image gives user '${image.vagrantGuestUser}' an SSH login (Provisioner.vagrantGuest(), by default with Vagrant's insecure key, whose private half is public) and a fleet must never carry a login key`,
      'Launch the golden image without vagrantGuest(), and make the Vagrant box from a variant image made for export only: '
      + 'new GoldenImage(this, \'VagrantVariant\', { parentImage: <web\'s parent>, provisioners: [...webSteps, Provisioner.vagrantGuest()], rootVolume: { encrypted: false }, vmExports: [...] }) '
      + '(ParentImage.fromGoldenImage(web) instead of the parent where web\'s root is unencrypted: VM Import/Export refuses encrypted snapshots)');
  }
  const imageId = image.machineImage.getImage(scope).imageId;
  if (typeof (image as Partial<TrackedImage>)._useInDeployment === 'function') {
    (image as unknown as TrackedImage)._useInDeployment(scope, imageId);
  }
  return {
    imageId,
    osFamily: image.osFamily,
    architecture: image.architecture,
    identity: `golden-image:${image.imageKey}`,
    rootDeviceName: image.rootDeviceName,
    keepsSsmAgent: image.keepsSsmAgent,
    description,
  };
}
