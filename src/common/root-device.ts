import { OsFamily } from './os-family';

/**
 * The root device name to assume for an AMI the library knows nothing else about: where
 * Amazon Linux and Debian AMIs register their root (`/dev/xvda`), and where Windows AMIs do
 * (`/dev/sda1`). Ubuntu AMIs use `/dev/sda1` too; the parents the library offers by name carry
 * their own device in managed-parent-images.ts, which is the one table of per-parent facts.
 *
 * A launch template or recipe that maps the root under another name than the AMI's gives the
 * instance a second, empty volume and leaves the real root unencrypted and unsized, so every
 * caller that cannot read the AMI's own mapping takes its default from here.
 */
export function defaultRootDeviceName(osFamily: OsFamily): string {
  return osFamily === OsFamily.WINDOWS ? '/dev/sda1' : '/dev/xvda';
}
