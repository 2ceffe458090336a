/**
 * The package manager of a parent container image, as far as its name tells; undefined where
 * it does not. Only the images AWSTOE's UpdateOS can update matter here.
 */
export type PackageManager = 'apt' | 'dnf' | 'apk' | 'zypper' | 'none' | undefined;

/** Repository names (last path component, any prefix such as `ubi` counts) and their package managers. */
const KNOWN: Array<[RegExp, Exclude<PackageManager, undefined>]> = [
  [/^(debian|ubuntu)/, 'apt'],
  [/^(amazonlinux|amazon-linux|fedora|rockylinux|almalinux|centos|oraclelinux|ubi)/, 'dnf'],
  [/^alpine/, 'apk'],
  [/^(opensuse|sles)/, 'zypper'],
  [/^(busybox|distroless|scratch|static|base-debian)/, 'none'],
];

/** The package manager of the image `repository` (a repository path, an image name or a construct path). */
export function packageManagerOf(repository: string): PackageManager {
  const name = repository.split('/').pop() ?? repository;
  return KNOWN.find(([pattern]) => pattern.test(name))?.[1];
}

/**
 * Package managers AWSTOE's UpdateOS action applies updates with (yum/dnf and apt on Linux).
 * https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html#action-modules-updateos
 */
export const UPDATE_OS_PACKAGE_MANAGERS: ReadonlyArray<PackageManager> = ['apt', 'dnf'];
