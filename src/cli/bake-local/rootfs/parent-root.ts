import { MANAGED_PARENT_IMAGES, ManagedParentImage } from '../../../common/managed-parent-images';
import { usageError } from '../../core/cli-error';

/** What a cloud image has that `debootstrap --variant=minbase` leaves out, and steps expect. */
export const CLOUD_IMAGE_PACKAGES: readonly string[] = ['systemd', 'sudo', 'curl', 'ca-certificates', 'python3'];

/** A root filesystem bake-local can build for a parent image with debootstrap. */
export interface RootRecipe {
  readonly distribution: 'debian' | 'ubuntu';
  readonly release: string;
  readonly codename: string;
  /** Debian's architecture name (amd64, arm64). */
  readonly architecture: string;
  readonly mirror: string;
  /** The debootstrap script, when the suite has none of its own (Ubuntu releases newer than debootstrap). */
  readonly script?: string;
  /** The archive keyring, when it is not Debian's. */
  readonly keyring?: string;
  readonly packages: readonly string[];
  /** How the report names it. */
  readonly displayName: string;
}

const MIRRORS = { debian: 'http://deb.debian.org/debian', ubuntu: 'http://archive.ubuntu.com/ubuntu' };
const UBUNTU_KEYRING = '/usr/share/keyrings/ubuntu-archive-keyring.gpg';

/**
 * A container recipe's Debian or Ubuntu parent, as Docker Hub or ECR Public name it
 * (`debian:bookworm`, `debian:12-slim`, `library/ubuntu:24.04`, `public.ecr.aws/docker/library/debian:bookworm`).
 * A container image of them is slimmer than a debootstrap root; the release is what matters here.
 */
const CONTAINER_PARENT = /^(?:docker\.io\/|public\.ecr\.aws\/docker\/)?(?:library\/)?(debian|ubuntu):([a-z0-9.]+?)(?:-slim)?(?:@sha256:[a-f0-9]{64})?$/;

/**
 * The root for the recipe's parent image: Debian (`ssm:/aws/service/debian/...`) and Ubuntu (an
 * Image Builder managed image, or a container image reference) are known from the library's
 * table of managed parent images; any other parent is bad input that says to pass --rootfs. The
 * architecture must be the host's: no emulator runs foreign binaries here.
 */
export function rootRecipeFor(parentImage: string, hostArch: string = process.arch): RootRecipe {
  const parent = findParent(parentImage, hostArch === 'arm64' ? 'arm64' : 'x86_64');
  if (!parent || (parent.distribution !== 'DEBIAN' && parent.distribution !== 'UBUNTU') || !parent.codename) {
    const what = parent ? `${parent.displayName}` : `'${parentImage}'`;
    throw usageError(`the parent image ${what} cannot be built here: bake-local builds Debian and Ubuntu roots with debootstrap. `
      + 'Pass --rootfs DIR with a prepared root filesystem of the parent\'s distribution');
  }
  const architecture = parent.architecture === 'x86_64' ? 'amd64' : 'arm64';
  const host = hostArch === 'x64' ? 'amd64' : hostArch;
  if (architecture !== host) {
    throw usageError(`the parent image ${parent.displayName} is ${architecture} and this machine is ${host}: `
      + `bake on a ${architecture} machine, or pass --rootfs DIR with a ${host} root`);
  }
  const distribution = parent.distribution === 'DEBIAN' ? 'debian' : 'ubuntu';
  return {
    distribution,
    release: parent.release,
    codename: parent.codename,
    architecture,
    mirror: MIRRORS[distribution],
    ...(distribution === 'ubuntu' ? { script: 'gutsy', keyring: UBUNTU_KEYRING } : {}),
    packages: CLOUD_IMAGE_PACKAGES,
    displayName: parent.displayName,
  };
}

function findParent(parentImage: string, hostArchitecture: ManagedParentImage['architecture']): ManagedParentImage | undefined {
  const images = Object.values(MANAGED_PARENT_IMAGES) as ManagedParentImage[];
  const container = CONTAINER_PARENT.exec(parentImage);
  if (container) {
    // A container image is multi-architecture: the host's is the one Docker would pull here.
    const [, name, version] = container;
    return images.find(i => i.distribution === name.toUpperCase() && (i.release === version || i.codename === version)
      && i.architecture === hostArchitecture);
  }
  if (parentImage.startsWith('ssm:')) {
    const parameter = parentImage.slice('ssm:'.length);
    return images.find(i => i.ssmParameter === parameter);
  }
  const managed = /:image\/([^/]+)\//.exec(parentImage)?.[1];
  return managed ? images.find(i => i.imageBuilderName === managed) : undefined;
}
