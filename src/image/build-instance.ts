import { Annotations, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { OsFamily } from '../common/os-family';
import { RECIPE_LIMITS, RecipeBlockDevice, ebsVolume, recipeBlockDevice } from '../common/root-volume';
import { invalidProp } from '../private/errors';

/**
 * An EBS data volume of the build instance beyond the root volume; the AMI keeps it in its block
 * device mappings, so instances launched from the AMI get it too (Packer's
 * `launch_block_device_mappings` for non-root devices).
 */
export interface DataVolumeOptions {
  /** The device name, for example '/dev/xvdb' on Linux or 'xvdf' on Windows. */
  readonly deviceName: string;

  /** Size in GiB, 1 to 16000 (Image Builder's limit). */
  readonly sizeGiB: number;

  /**
   * The EBS volume type.
   *
   * @default ec2.EbsDeviceVolumeType.GP3
   */
  readonly volumeType?: ec2.EbsDeviceVolumeType;

  /**
   * Provisioned IOPS (io1, io2 and gp3).
   *
   * @default - the volume type's baseline
   */
  readonly iops?: number;

  /**
   * Throughput in MiB/s (gp3 only).
   *
   * @default - gp3's baseline of 125 MiB/s
   */
  readonly throughput?: number;

  /**
   * Encrypt the volume and so its snapshot in the AMI. Turning this off needs a reason.
   *
   * @default true
   */
  readonly encrypted?: boolean;

  /**
   * The KMS key that encrypts the volume.
   *
   * @default - the account's default EBS key (aws/ebs)
   */
  readonly kmsKey?: kms.IKey;
}

/** The recipe's data volume mappings, checked for the image at `scope` against its root device. */
export function dataVolumes(scope: IConstruct, volumes: DataVolumeOptions[], rootDeviceName: string): RecipeBlockDevice[] {
  const seen = new Map<string, string>([[rootDeviceName, 'the root volume']]);
  return volumes.map((options, index) => {
    const prop = `dataVolumes[${index}]`;
    const name = options.deviceName;
    if (!Token.isUnresolved(name)) {
      const clash = seen.get(name);
      if (clash) {
        invalidProp(scope, `${prop}.deviceName`, name, `${clash} has that device name`, 'Give every data volume its own device name, other than the root device\'s');
      }
      if (!/^(\/dev\/)?[a-z][a-z0-9]*$/.test(name)) {
        invalidProp(scope, `${prop}.deviceName`, name, 'it is not a device name', 'Give a name such as \'/dev/xvdb\' (Linux) or \'xvdf\' (Windows)');
      }
      seen.set(name, prop);
    }
    const size = options.sizeGiB;
    if (!Token.isUnresolved(size) && (!Number.isInteger(size) || size < 1 || size > RECIPE_LIMITS.sizeGiB)) {
      invalidProp(scope, `${prop}.sizeGiB`, size, `Image Builder takes a volume of a whole number of GiB from 1 to ${RECIPE_LIMITS.sizeGiB}`, 'Give a whole number of GiB');
    }
    return recipeBlockDevice(ebsVolume(scope, prop, name, options,
      { id: 'cdk-immutable-infra:unencryptedDataVolume', message: `the AMI's snapshot of ${name} will not be encrypted` }, true));
  });
}

/** Image Builder's limit on the (base64-encoded) user data override. */
const USER_DATA_MAX = 21_847;

/**
 * The recipe's user data override, base64-encoded as Image Builder takes it
 * (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_AdditionalInstanceConfiguration.html:
 * "The user data is always base 64 encoded", 1 to 21847 characters). On Linux it replaces the user
 * data with which Image Builder installs the SSM agent on a parent that lacks it (see ssm-agent.ts).
 */
export function userDataOverride(scope: IConstruct, script: string | undefined, osFamily: OsFamily): string | undefined {
  if (script === undefined) {
    return undefined;
  }
  if (Token.isUnresolved(script)) {
    invalidProp(scope, 'userDataOverride', script, 'the script is part of the recipe\'s content hash and must be known at synth',
      'Give the script as a literal string');
  }
  const encoded = Buffer.from(script, 'utf-8').toString('base64');
  if (script.length === 0 || encoded.length > USER_DATA_MAX) {
    invalidProp(scope, 'userDataOverride', `${script.length} characters`, `Image Builder takes 1 to ${USER_DATA_MAX} characters once base64-encoded, and this is ${encoded.length}`,
      'Shorten the script, or move the work into a provisioner');
  }
  if (osFamily === OsFamily.LINUX) {
    Annotations.of(scope).addWarningV2('cdk-immutable-infra:userDataOverride',
      'userDataOverride replaces the user data with which Image Builder installs the SSM agent on a Linux parent that lacks it: where the parent has no agent, the script must install it, or the build cannot start');
  }
  return encoded;
}
