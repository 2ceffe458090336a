import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { parentImageIn } from './image-publication';
import { IGoldenImage } from '../common/golden-image-interface';
import { confirmedRootSnapshotSizeGiB, findManagedParentImage, findManagedParentImageBySsmParameter, listManagedParentImages, rootDeviceOfOwners, ManagedDistribution, ManagedParentImage, managedImageArn, ssmParentImage } from '../common/managed-parent-images';
import { OsFamily } from '../common/os-family';
import { rootDeviceOrGuess } from '../common/root-device';
import { ARM_64, X86_64 } from '../private/ec2-values';
import { invalidProp } from '../private/errors';

/**
 * Options for a parent image AWS publishes.
 */
export interface ManagedParentImageOptions {
  /**
   * The processor architecture.
   *
   * @default ec2.InstanceArchitecture.X86_64
   */
  readonly architecture?: ec2.InstanceArchitecture;
}

/** Options for an Ubuntu parent image. */
export interface UbuntuParentImageOptions extends ManagedParentImageOptions {
  /** The Ubuntu LTS release, e.g. '22.04' or '24.04'. */
  readonly release: string;
}

/** Options for a Debian parent image. */
export interface DebianParentImageOptions extends ManagedParentImageOptions {
  /** The Debian release number, e.g. '12' (bookworm). */
  readonly release: string;
}

/** Options for a Windows Server parent image. */
export interface WindowsServerParentImageOptions extends ManagedParentImageOptions {
  /** The Windows Server version, e.g. '2022'. */
  readonly version: string;
}

/**
 * What the library needs to know about a parent image it cannot look up itself.
 */
export interface CustomParentImageOptions {
  /**
   * The operating system family of the image.
   *
   * @default - a public SSM parameter of a parent the library names carries its own; otherwise OsFamily.LINUX
   */
  readonly osFamily?: OsFamily;

  /**
   * The processor architecture of the image.
   *
   * @default - a public SSM parameter of a parent the library names carries its own; otherwise ec2.InstanceArchitecture.X86_64
   */
  readonly architecture?: ec2.InstanceArchitecture;

  /**
   * The image's root device name, so the root volume settings apply to the right device.
   *
   * @default - what the library knows of a public SSM parameter its named parents use, or of
   * Canonical's and Debian's owner accounts in a lookup; otherwise '/dev/sda1' for Windows and
   * '/dev/xvda' for Linux, where the image warns that it is a guess
   */
  readonly rootDeviceName?: string;

  /**
   * The size of the image's root snapshot in GiB, so a too-small root volume fails at synth.
   *
   * @default - a public SSM parameter of a parent the library names carries its own where a primary source gives it; otherwise unknown: not checked
   */
  readonly rootVolumeSizeGiB?: number;
}

/**
 * Options for a parent image found by name at synth time (Packer's `source_ami_filter`).
 */
export interface ParentImageLookupOptions extends CustomParentImageOptions {
  /** The AMI name pattern, with `*` wildcards, e.g. 'debian-12-amd64-*'. */
  readonly name: string;

  /**
   * Owner account ids or aliases ('amazon', 'self').
   *
   * @default - any owner: give owners, as an unowned name pattern can match anyone's image
   */
  readonly owners?: string[];

  /**
   * More DescribeImages filters.
   *
   * @default - none
   */
  readonly filters?: { [name: string]: string[] };
}

/**
 * A parent image bound to an image recipe.
 */
export interface ParentImageConfig {
  /** The recipe's `ParentImage` value: an AMI id, an Image Builder image ARN or `ssm:<parameter>`. */
  readonly parentImage: string;
  /** The operating system family. */
  readonly osFamily: OsFamily;
  /** The processor architecture. */
  readonly architecture: ec2.InstanceArchitecture;
  /** What identifies the parent at synth time, part of the image key. */
  readonly identity: string;
  /** The root device name. */
  readonly rootDeviceName: string;
  /**
   * The root snapshot's size in GiB, where known.
   *
   * @default - unknown
   */
  readonly rootVolumeSizeGiB?: number;
  /**
   * The user a parent golden image installed a login key for with Provisioner.vagrantGuest().
   *
   * @default - none
   */
  readonly vagrantGuestUser?: string;
  /**
   * True when `rootDeviceName` is the library's guess (a Linux AMI given by id, by an SSM
   * parameter it does not know, or by a lookup): the image then warns, unless its own
   * `rootVolume.deviceName` names the device.
   *
   * @default false
   */
  readonly rootDeviceNameAssumed?: boolean;
  /**
   * True when the parent's root snapshot is known to be encrypted (a golden parent baked with
   * an encrypted root): a volume made from it is encrypted too.
   *
   * @default false
   */
  readonly encryptedRoot?: boolean;
}

/**
 * The image a golden image is baked from (Packer's `source_ami`, `source_ami_filter`).
 */
export abstract class ParentImage {
  /** The latest Amazon Linux 2023, through Image Builder's managed image. */
  public static amazonLinux2023(options: ManagedParentImageOptions = {}): ParentImage {
    return new ManagedParent('amazonLinux2023', 'AMAZON_LINUX_2023', '2023', options.architecture);
  }

  /** The latest Amazon Linux 2, through Image Builder's managed image. */
  public static amazonLinux2(options: ManagedParentImageOptions = {}): ParentImage {
    return new ManagedParent('amazonLinux2', 'AMAZON_LINUX_2', '2', options.architecture);
  }

  /** The latest Ubuntu Server LTS image of a release, through Image Builder's managed image. */
  public static ubuntu(options: UbuntuParentImageOptions): ParentImage {
    return new ManagedParent('ubuntu', 'UBUNTU', options.release, options.architecture);
  }

  /**
   * The latest official Debian image of a release (owner 136693071363), through the public
   * SSM parameter Debian publishes, resolved by Image Builder when the image is built.
   */
  public static debian(options: DebianParentImageOptions): ParentImage {
    return new ManagedParent('debian', 'DEBIAN', options.release, options.architecture);
  }

  /** The latest Windows Server (English, full base) of a version, through Image Builder's managed image. */
  public static windowsServer(options: WindowsServerParentImageOptions): ParentImage {
    return new ManagedParent('windowsServer', 'WINDOWS', options.version, options.architecture);
  }

  /** A specific AMI (Packer's `source_ami`). */
  public static fromAmiId(amiId: string, options: CustomParentImageOptions = {}): ParentImage {
    return new AmiParent(amiId, options);
  }

  /**
   * The AMI id held by an SSM parameter (Packer's `amazon-parameterstore` data source), resolved
   * by Image Builder each time the image is built.
   */
  public static fromSsmParameter(parameterName: string, options: CustomParentImageOptions = {}): ParentImage {
    return new SsmParent(parameterName, options);
  }

  /** Another golden image of this app: cascading images. */
  public static fromGoldenImage(image: IGoldenImage): ParentImage {
    return new GoldenParent(image);
  }

  /**
   * The most recent AMI matching a name pattern, owners and filters, resolved at synth time
   * through a CDK context lookup and pinned in cdk.context.json (Packer's `source_ami_filter`
   * with `most_recent = true`).
   */
  public static lookup(options: ParentImageLookupOptions): ParentImage {
    return new LookupParent(options);
  }

  /** Binds the parent image to the image that uses it. */
  public abstract bind(scope: Construct): ParentImageConfig;
}

/**
 * What the library takes for a parent it does not name: the user's options first, then what its
 * table says of a well-known public SSM parameter (`known`), then defaults.
 */
function customFacts(options: CustomParentImageOptions, known?: ManagedParentImage): Omit<ParentImageConfig, 'parentImage' | 'identity'> {
  const osFamily = options.osFamily ?? (known ? managedOsFamily(known) : OsFamily.LINUX);
  return {
    osFamily,
    architecture: options.architecture ?? (known?.architecture === 'arm64' ? ARM_64 : X86_64),
    ...rootDeviceOrGuess(options.rootDeviceName ?? known?.rootDeviceName, osFamily),
    rootVolumeSizeGiB: options.rootVolumeSizeGiB ?? (known ? confirmedRootSnapshotSizeGiB(known) : undefined),
  };
}

function managedOsFamily(facts: ManagedParentImage): OsFamily {
  return facts.osFamily === 'WINDOWS' ? OsFamily.WINDOWS : OsFamily.LINUX;
}

class ManagedParent extends ParentImage {
  constructor(
    private readonly factory: string,
    private readonly distribution: ManagedDistribution,
    private readonly release: string,
    private readonly architecture?: ec2.InstanceArchitecture) {
    super();
  }

  public bind(scope: Construct): ParentImageConfig {
    const architecture = this.architecture ?? X86_64;
    const facts = findManagedParentImage({ distribution: this.distribution, release: String(this.release ?? ''), architecture });
    if (!facts) {
      const known = listManagedParentImages()
        .filter(i => i.distribution === this.distribution && i.architecture === architecture && i.edition !== 'CORE')
        .map(i => `'${i.release}'`);
      invalidProp(scope, 'parentImage', `ParentImage.${this.factory}(${this.release}) on ${architecture}`,
        'no such image is published for that release and architecture',
        `Use one of: ${[...new Set(known)].join(', ') || '(none on this architecture)'}; or ParentImage.fromAmiId() / ParentImage.lookup() for another image`);
    }
    return {
      parentImage: this.parentImageValue(scope, facts),
      identity: `managed:${facts.id}`,
      osFamily: managedOsFamily(facts),
      architecture,
      rootDeviceName: facts.rootDeviceName,
      rootVolumeSizeGiB: confirmedRootSnapshotSizeGiB(facts),
    };
  }

  private parentImageValue(scope: Construct, facts: ManagedParentImage): string {
    if (facts.imageBuilderName) {
      const stack = Stack.of(scope);
      return managedImageArn(facts.imageBuilderName, stack.partition, stack.region);
    }
    return ssmParentImage(facts.ssmParameter!);
  }
}

class AmiParent extends ParentImage {
  constructor(private readonly amiId: string, private readonly options: CustomParentImageOptions) {
    super();
  }

  public bind(scope: Construct): ParentImageConfig {
    if (Token.isUnresolved(this.amiId)) {
      invalidProp(scope, 'parentImage', this.amiId, 'a parent AMI id must be known at synth time: it is part of the image key that decides when to rebake',
        'Give a literal AMI id, or use ParentImage.fromSsmParameter() for an id resolved at build time');
    }
    if (!/^ami-[0-9a-f]{8}([0-9a-f]{9})?$/.test(this.amiId)) {
      invalidProp(scope, 'parentImage', this.amiId, 'this is not an AMI id', 'Give an id like \'ami-0123456789abcdef0\'');
    }
    return { parentImage: this.amiId, identity: `ami:${this.amiId}`, ...customFacts(this.options) };
  }
}

class SsmParent extends ParentImage {
  constructor(private readonly parameterName: string, private readonly options: CustomParentImageOptions) {
    super();
  }

  public bind(scope: Construct): ParentImageConfig {
    if (Token.isUnresolved(this.parameterName)) {
      invalidProp(scope, 'parentImage', this.parameterName, 'the parameter name must be known at synth time: it is part of the image key',
        'Give the parameter\'s name as a literal string');
    }
    if (!/^(\/?[a-zA-Z0-9_.\-]+)(\/[a-zA-Z0-9_.\-]+)*$|^arn:/.test(this.parameterName)) {
      invalidProp(scope, 'parentImage', this.parameterName, 'this is not an SSM parameter name or ARN',
        'Give a name like \'/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\'');
    }
    // A public parameter the library's own parents use tells the OS, architecture and root device.
    const known = findManagedParentImageBySsmParameter(this.parameterName);
    return { parentImage: `ssm:${this.parameterName}`, identity: `ssm:${this.parameterName}`, ...customFacts(this.options, known) };
  }
}

class GoldenParent extends ParentImage {
  constructor(private readonly image: IGoldenImage) {
    super();
  }

  public bind(scope: Construct): ParentImageConfig {
    return {
      parentImage: parentImageIn(this.image, scope),
      identity: `golden:${this.image.imageKey}`,
      osFamily: this.image.osFamily,
      architecture: this.image.architecture,
      rootDeviceName: this.image.rootDeviceName,
      vagrantGuestUser: this.image.vagrantGuestUser,
      encryptedRoot: this.image.rootVolumeEncrypted,
    };
  }
}

class LookupParent extends ParentImage {
  constructor(private readonly options: ParentImageLookupOptions) {
    super();
  }

  public bind(scope: Construct): ParentImageConfig {
    if (!this.options.name || Token.isUnresolved(this.options.name)) {
      invalidProp(scope, 'parentImage', this.options.name, 'a lookup needs a literal AMI name pattern', 'Give a name such as \'debian-12-amd64-*\'');
    }
    // Owners the table knows (Canonical, Debian) tell the root device of their images.
    const facts = customFacts({ ...this.options, rootDeviceName: this.options.rootDeviceName ?? rootDeviceOfOwners(this.options.owners ?? []) });
    const amiId = ec2.MachineImage.lookup({
      name: this.options.name,
      owners: this.options.owners,
      filters: {
        architecture: [facts.architecture === ARM_64 ? 'arm64' : 'x86_64'],
        ...this.options.filters,
      },
      windows: facts.osFamily === OsFamily.WINDOWS,
    }).getImage(scope).imageId;
    return { parentImage: amiId, identity: `ami:${amiId}`, ...facts };
  }
}
