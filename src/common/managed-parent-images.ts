/*
 * Facts about the parent images that ParentImage offers by name: the Image Builder managed image
 * (`arn:<partition>:imagebuilder:<region>:aws:image/<name>/x.x.x`), the public SSM parameter that
 * holds the latest AMI id, and what the AMI looks like (root device, root snapshot size).
 *
 * Sources (facts only; the table is written for this project):
 * - [cdk-alpha] aws/aws-cdk packages/@aws-cdk/aws-imagebuilder-alpha/lib/amazon-managed-image.ts
 *   (managed image names for Amazon Linux, Ubuntu 22.04/24.04 and Windows Server).
 * - [cdk-ec2] aws-cdk-lib aws-ec2 machine images (Amazon Linux SSM names; Windows SSM names are
 *   `/aws/service/ami-windows-latest/<WindowsVersion>`).
 * - [graviton] aws/aws-graviton-getting-started amis_cf_sm.md: AWS's table of arm64 SSM parameters
 *   (Amazon Linux, Ubuntu 20.04/22.04/24.04, Debian 11/12).
 * - [debian-tools] Debian's image tooling (debian-cloud-images, as mirrored on GitHub): the EC2
 *   upload registers the root as /dev/xvda, the EC2 image is 8 GiB, and the SSM publisher writes
 *   `<prefix>/release/<release id and codename>/latest/<arch>`.
 * - [repos] several independent public repositories using the same value.
 *
 * `unconfirmed` lists the fields whose evidence is weak (one repository, or an inference from a
 * pattern): code that rejects user input on the strength of such a field should warn instead.
 * Root sizes follow the same rule in a stricter form: `rootVolumeSizeGiB` is set only where a
 * primary source gives it; a weaker figure goes to `typicalRootVolumeSizeGiB`, for messages only.
 */

/** The operating system family, as Image Builder and EC2 name it. */
export type ManagedOsFamily = 'LINUX' | 'WINDOWS';

/** The distribution a managed parent image belongs to. */
export type ManagedDistribution = 'AMAZON_LINUX_2023' | 'AMAZON_LINUX_2' | 'UBUNTU' | 'DEBIAN' | 'WINDOWS';

/** EC2 architecture names (the values of `ec2.InstanceArchitecture`). */
export type ManagedArchitecture = 'x86_64' | 'arm64';

/** Windows Server editions offered as parents. */
export type WindowsEdition = 'FULL' | 'CORE';

/** The fields of {@link ManagedParentImage} that can be flagged as weakly evidenced. */
export type ParentImageFactName = 'imageBuilderName' | 'ssmParameter' | 'rootDeviceName' | 'amiNamePattern';

/** What the library knows about one managed parent image on one architecture. */
export interface ManagedParentImage {
  /** Table key: the base id plus the architecture, e.g. `ubuntu-24.04-arm64`. */
  readonly id: ManagedParentImageId;
  /**
   * The image without its architecture, as ParentImage factories name it: `al2023`, `al2`,
   * `ubuntu-24.04`, `debian-12`, `windows-2022` (full base), `windows-2022-core`.
   */
  readonly baseId: string;
  /** Human-readable name for messages. */
  readonly displayName: string;
  readonly osFamily: ManagedOsFamily;
  readonly distribution: ManagedDistribution;
  /** Release as its vendor writes it: '2023', '2', '22.04', '12', '2022'. */
  readonly release: string;
  /** Release codename where the vendor uses one (Ubuntu, Debian). */
  readonly codename?: string;
  /** Windows Server edition; undefined for Linux. */
  readonly edition?: WindowsEdition;
  readonly architecture: ManagedArchitecture;
  /** Name of the Image Builder managed image, where AWS publishes one. */
  readonly imageBuilderName?: string;
  /** Public SSM parameter holding the latest AMI id in each Region, where one exists. */
  readonly ssmParameter?: string;
  /** Owner account of the AMIs in the commercial partition (other partitions differ). */
  readonly amiOwnerAccount?: string;
  /** DescribeImages name filter that selects this image's AMIs. */
  readonly amiNamePattern?: string;
  /** Device name of the root volume in the AMI's block device mapping. */
  readonly rootDeviceName: string;
  /** Size of the AMI's root snapshot in GiB, set only where a primary source gives it. */
  readonly rootVolumeSizeGiB?: number;
  /** A size seen in weaker sources; for messages, never for validation or defaults. */
  readonly typicalRootVolumeSizeGiB?: number;
  /** Fields whose evidence is weak. */
  readonly unconfirmed: ReadonlyArray<ParentImageFactName>;
  /** A caveat worth showing users (end of support, a managed image AWS may retire...). */
  readonly note?: string;
}

/** The name parent-image.ts uses for a table entry. */
export type ManagedParentFacts = ManagedParentImage;

type Facts = Omit<ManagedParentImage, 'id'>;

const AL_ROOT = '/dev/xvda';
const UBUNTU_ROOT = '/dev/sda1';
const WINDOWS_ROOT = '/dev/sda1';
// [debian-tools] the AMI is registered with /dev/xvda, unlike Ubuntu's /dev/sda1.
const DEBIAN_ROOT = '/dev/xvda';
const DEBIAN_OWNER = '136693071363';
const CANONICAL_OWNER = '099720109477';

function amazonLinux2023(arch: ManagedArchitecture, ibArch: string): Facts {
  return {
    baseId: 'al2023',
    displayName: `Amazon Linux 2023 (${arch})`,
    osFamily: 'LINUX',
    distribution: 'AMAZON_LINUX_2023',
    release: '2023',
    architecture: arch,
    imageBuilderName: `amazon-linux-2023-${ibArch}`, // [cdk-alpha]
    ssmParameter: `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}`, // [cdk-ec2] [graviton]
    rootDeviceName: AL_ROOT,
    typicalRootVolumeSizeGiB: 8, // one third-party statement
    unconfirmed: [],
  };
}

function amazonLinux2(arch: ManagedArchitecture, ibArch: string): Facts {
  return {
    baseId: 'al2',
    displayName: `Amazon Linux 2 (${arch})`,
    osFamily: 'LINUX',
    distribution: 'AMAZON_LINUX_2',
    release: '2',
    architecture: arch,
    imageBuilderName: `amazon-linux-2-${ibArch}`, // [cdk-alpha]
    ssmParameter: `/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-${arch}-gp2`, // [cdk-ec2] [graviton]
    rootDeviceName: AL_ROOT,
    typicalRootVolumeSizeGiB: 8, // common knowledge, no primary source found
    unconfirmed: [],
  };
}

interface UbuntuRelease {
  readonly release: '20.04' | '22.04' | '24.04';
  readonly codename: string;
  /** The SSM path's volume segment: Canonical's 24.04 AMIs are gp3-backed, older ones gp2. */
  readonly volume: 'ebs-gp2' | 'ebs-gp3';
  readonly managedMajor: string;
}

const FOCAL: UbuntuRelease = { release: '20.04', codename: 'focal', volume: 'ebs-gp2', managedMajor: '20' };
const JAMMY: UbuntuRelease = { release: '22.04', codename: 'jammy', volume: 'ebs-gp2', managedMajor: '22' };
const NOBLE: UbuntuRelease = { release: '24.04', codename: 'noble', volume: 'ebs-gp3', managedMajor: '24' };

function ubuntu(r: UbuntuRelease, arch: ManagedArchitecture): Facts {
  const ssmArch = arch === 'x86_64' ? 'amd64' : 'arm64';
  const ibArch = arch === 'x86_64' ? 'x86' : 'arm64';
  return {
    baseId: `ubuntu-${r.release}`,
    displayName: `Ubuntu Server ${r.release} LTS (${arch})`,
    osFamily: 'LINUX',
    distribution: 'UBUNTU',
    release: r.release,
    codename: r.codename,
    architecture: arch,
    // [cdk-alpha] for 22 and 24; [repos] for 20 (x86: many; arm64: a single 2020 recipe).
    imageBuilderName: `ubuntu-server-${r.managedMajor}-lts-${ibArch}`,
    // [graviton] (arm64) and [repos] (amd64).
    ssmParameter: `/aws/service/canonical/ubuntu/server/${r.release}/stable/current/${ssmArch}/hvm/${r.volume}/ami-id`,
    amiOwnerAccount: CANONICAL_OWNER,
    rootDeviceName: UBUNTU_ROOT, // [repos] describe-images output of Canonical AMIs
    typicalRootVolumeSizeGiB: 8, // [repos] seen on older Canonical AMIs only
    unconfirmed: r.release === '20.04' && arch === 'arm64' ? ['imageBuilderName'] : [],
    note: r.release === '20.04' ? 'Ubuntu 20.04 is past its five years of standard support; AWS may retire its managed image.' : undefined,
  };
}

function debian(release: '11' | '12' | '13', codename: string, arch: ManagedArchitecture): Facts {
  const debArch = arch === 'x86_64' ? 'amd64' : 'arm64';
  // AWS's own table lists the arm64 parameters of Debian 11 and 12. The amd64 ones and Debian 13
  // rest on many independent repositories plus the key scheme of Debian's publisher.
  const awsListed = arch === 'arm64' && release !== '13';
  return {
    baseId: `debian-${release}`,
    displayName: `Debian ${release} (${codename}, ${debArch})`,
    osFamily: 'LINUX',
    distribution: 'DEBIAN',
    release,
    codename,
    architecture: arch,
    // No Image Builder managed image exists for Debian: no public recipe references one.
    ssmParameter: `/aws/service/debian/release/${release}/latest/${debArch}`,
    amiOwnerAccount: DEBIAN_OWNER,
    amiNamePattern: `debian-${release}-${debArch}-*`, // [repos] names like debian-12-amd64-20240717-1811
    rootDeviceName: DEBIAN_ROOT,
    rootVolumeSizeGiB: 8, // [debian-tools] vendor ec2, size 8
    unconfirmed: awsListed ? [] : ['ssmParameter'],
    note: release === '11' ? 'Debian 11 is out of regular security support (LTS only).' : undefined,
  };
}

function windowsServer(release: '2016' | '2019' | '2022' | '2025', edition: WindowsEdition): Facts {
  const editionWord = edition === 'FULL' ? 'Full' : 'Core';
  return {
    baseId: edition === 'FULL' ? `windows-${release}` : `windows-${release}-core`,
    displayName: `Windows Server ${release} English ${editionWord} Base`,
    osFamily: 'WINDOWS',
    distribution: 'WINDOWS',
    release,
    edition,
    architecture: 'x86_64',
    imageBuilderName: `windows-server-${release}-english-${editionWord.toLowerCase()}-base-x86`, // [cdk-alpha]
    ssmParameter: `/aws/service/ami-windows-latest/Windows_Server-${release}-English-${editionWord}-Base`, // [cdk-ec2]
    rootDeviceName: WINDOWS_ROOT,
    // Usually quoted as 30 GiB, but no source was found: left unknown.
    unconfirmed: [],
  };
}

const TABLE = {
  'al2023-x86_64': amazonLinux2023('x86_64', 'x86'),
  'al2023-arm64': amazonLinux2023('arm64', 'arm64'),
  'al2-x86_64': amazonLinux2('x86_64', 'x86'),
  'al2-arm64': amazonLinux2('arm64', 'arm64'),
  'ubuntu-20.04-x86_64': ubuntu(FOCAL, 'x86_64'),
  'ubuntu-20.04-arm64': ubuntu(FOCAL, 'arm64'),
  'ubuntu-22.04-x86_64': ubuntu(JAMMY, 'x86_64'),
  'ubuntu-22.04-arm64': ubuntu(JAMMY, 'arm64'),
  'ubuntu-24.04-x86_64': ubuntu(NOBLE, 'x86_64'),
  'ubuntu-24.04-arm64': ubuntu(NOBLE, 'arm64'),
  'debian-11-x86_64': debian('11', 'bullseye', 'x86_64'),
  'debian-11-arm64': debian('11', 'bullseye', 'arm64'),
  'debian-12-x86_64': debian('12', 'bookworm', 'x86_64'),
  'debian-12-arm64': debian('12', 'bookworm', 'arm64'),
  'debian-13-x86_64': debian('13', 'trixie', 'x86_64'),
  'debian-13-arm64': debian('13', 'trixie', 'arm64'),
  'windows-2016-x86_64': windowsServer('2016', 'FULL'),
  'windows-2016-core-x86_64': windowsServer('2016', 'CORE'),
  'windows-2019-x86_64': windowsServer('2019', 'FULL'),
  'windows-2019-core-x86_64': windowsServer('2019', 'CORE'),
  'windows-2022-x86_64': windowsServer('2022', 'FULL'),
  'windows-2022-core-x86_64': windowsServer('2022', 'CORE'),
  'windows-2025-x86_64': windowsServer('2025', 'FULL'),
  'windows-2025-core-x86_64': windowsServer('2025', 'CORE'),
} as const;

/** The table's keys: base id plus architecture. */
export type ManagedParentImageId = keyof typeof TABLE;

/** Every managed parent image, keyed by `<baseId>-<architecture>`. */
export const MANAGED_PARENT_IMAGES: Readonly<Record<ManagedParentImageId, ManagedParentImage>> = Object.freeze(
  Object.fromEntries(
    Object.entries(TABLE).map(([id, facts]) => [id, Object.freeze({ id: id as ManagedParentImageId, ...facts })]),
  ) as Record<ManagedParentImageId, ManagedParentImage>,
);

const ALL: ReadonlyArray<ManagedParentImage> = Object.values(MANAGED_PARENT_IMAGES);

/** Codenames accepted in place of release numbers in base ids (`debian-bookworm`, `ubuntu-noble`). */
const CODENAME_ALIASES: ReadonlyMap<string, string> = new Map(
  ALL.filter((image) => image.codename !== undefined)
    .map((image) => [`${image.baseId.split('-')[0]}-${image.codename}`, image.baseId] as [string, string]),
);

/** All managed parent images, in table order. */
export function listManagedParentImages(): ManagedParentImage[] {
  return [...ALL];
}

/** True when `id` is one of the table's keys. */
export function isManagedParentImageId(id: string): id is ManagedParentImageId {
  return Object.prototype.hasOwnProperty.call(MANAGED_PARENT_IMAGES, id);
}

/**
 * The entry for a base id (`al2023`, `ubuntu-24.04`, `debian-12` or `debian-bookworm`,
 * `windows-2022`, `windows-2022-core`) on an architecture, or undefined when no such image is
 * published.
 *
 * @param baseId the image without its architecture
 * @param architecture an `ec2.InstanceArchitecture` value; default 'x86_64'
 */
export function findManagedParent(baseId: string, architecture: string = 'x86_64'): ManagedParentFacts | undefined {
  const normalised = baseId.trim().toLowerCase();
  const canonical = CODENAME_ALIASES.get(normalised) ?? normalised;
  const key = `${canonical}-${architecture}`;
  return isManagedParentImageId(key) ? MANAGED_PARENT_IMAGES[key] : undefined;
}

/**
 * The base ids of one family, for "use one of" messages: `managedParentIds('ubuntu')` gives
 * `['ubuntu-20.04', 'ubuntu-22.04', 'ubuntu-24.04']`. The family is the base id's first segment
 * (`al2023`, `al2`, `ubuntu`, `debian`, `windows`).
 *
 * @param family the first segment of the base id
 * @param architecture only list images published for this architecture
 */
export function managedParentIds(family: string, architecture?: string): string[] {
  const wanted = family.trim().toLowerCase();
  const ids = ALL
    .filter((image) => image.baseId.split('-')[0] === wanted)
    .filter((image) => architecture === undefined || image.architecture === architecture)
    .map((image) => image.baseId);
  return [...new Set(ids)];
}

/** What to look for with {@link findManagedParentImage}. */
export interface ManagedParentImageQuery {
  readonly distribution: ManagedDistribution;
  /** Release as the vendor writes it ('22.04', '12', '2022'); Ubuntu and Debian codenames work too. */
  readonly release: string;
  /** Default 'x86_64'. */
  readonly architecture?: ManagedArchitecture;
  /** Windows only. Default 'FULL'. */
  readonly edition?: WindowsEdition;
}

/** The entry that matches a distribution, release, architecture (and Windows edition), if any. */
export function findManagedParentImage(query: ManagedParentImageQuery): ManagedParentImage | undefined {
  const architecture = query.architecture ?? 'x86_64';
  const edition = query.distribution === 'WINDOWS' ? (query.edition ?? 'FULL') : undefined;
  const release = query.release.trim().toLowerCase();
  return ALL.find((image) =>
    image.distribution === query.distribution
    && image.architecture === architecture
    && image.edition === edition
    && (image.release === release || image.codename === release));
}

/** The entry whose Image Builder managed image has this name (e.g. `ubuntu-server-24-lts-x86`). */
export function findManagedParentImageByImageBuilderName(name: string): ManagedParentImage | undefined {
  return ALL.find((image) => image.imageBuilderName === name);
}

/**
 * The entry whose public SSM parameter has this name, so that `ParentImage.fromSsmParameter()`
 * of a well-known parameter can learn the OS and root device. Accepts the bare name and the
 * `ssm:` form image recipes take; codename aliases (`.../debian/release/bookworm/...`) are not
 * matched.
 */
export function findManagedParentImageBySsmParameter(parameter: string): ManagedParentImage | undefined {
  const name = parameter.startsWith('ssm:') ? parameter.slice('ssm:'.length) : parameter;
  return ALL.find((image) => image.ssmParameter === name);
}

/**
 * The root device that every image of these owner accounts has in the table (Canonical's
 * `/dev/sda1`, Debian's `/dev/xvda`), so that `ParentImage.lookup()` among them knows it;
 * undefined when an owner is not in the table or the owners' images differ.
 */
export function rootDeviceOfOwners(owners: readonly string[]): string | undefined {
  const devices = owners.map(owner => {
    const names = new Set(ALL.filter(image => image.amiOwnerAccount === owner).map(image => image.rootDeviceName));
    return names.size === 1 ? [...names][0] : undefined;
  });
  return devices.length > 0 && devices.every(d => d !== undefined && d === devices[0]) ? devices[0] : undefined;
}

/**
 * The ARN of an Image Builder managed image. Pass the stack's partition and Region (tokens are
 * fine); `version` may hold `x` wildcards.
 */
export function managedImageArn(imageBuilderName: string, partition: string, region: string, version: string = 'x.x.x'): string {
  return `arn:${partition}:imagebuilder:${region}:aws:image/${imageBuilderName}/${version}`;
}

/** The image recipe `ParentImage` value that resolves an SSM parameter when the image is built. */
export function ssmParentImage(parameterName: string): string {
  return `ssm:${parameterName}`;
}

/**
 * The root snapshot size only where a primary source gives it; undefined otherwise. Safe to
 * validate a root volume against or to use as its default size.
 */
export function confirmedRootSnapshotSizeGiB(image: ManagedParentImage): number | undefined {
  return image.rootVolumeSizeGiB;
}
