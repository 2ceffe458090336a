import { mountPointsBelow } from '../../../src/cli/bake-local/sandbox/mounts';

/*
 * An emulated restart empties the guest's /tmp; anything a step mounted below it is unmounted
 * first, so that the removal stays inside the guest. Which mounts those are comes from mountinfo.
 */
const MOUNTINFO = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '90 22 0:50 / /var/cache/bake/merged rw,relatime - overlay bake-local rw,lowerdir=/l,upperdir=/u,workdir=/w',
  '91 90 0:51 / /var/cache/bake/merged/run rw,relatime - tmpfs bake-local rw,mode=755',
  '92 90 0:52 / /var/cache/bake/merged/tmp/cache rw,relatime - tmpfs cache rw',
  '93 92 0:53 / /var/cache/bake/merged/tmp/cache/inner rw,relatime - tmpfs inner rw',
  '94 90 8:1 /srv/data /var/cache/bake/merged/tmp/with\\040space rw,relatime - ext4 /dev/sda1 rw',
  '95 90 0:54 / /var/cache/bake/merged/tmpfiles rw,relatime - tmpfs other rw',
  '',
].join('\n');

test('the mounts strictly below a folder, outermost only, with mountinfo\'s octal escapes read', () => {
  expect(mountPointsBelow('/var/cache/bake/merged/tmp', MOUNTINFO)).toEqual([
    '/var/cache/bake/merged/tmp/cache',
    '/var/cache/bake/merged/tmp/with space',
  ]);
});

test('a folder with a trailing slash, and one with nothing mounted below it', () => {
  expect(mountPointsBelow('/var/cache/bake/merged/tmp/', MOUNTINFO)).toHaveLength(2);
  expect(mountPointsBelow('/var/cache/bake/merged/etc', MOUNTINFO)).toEqual([]);
});

test('this machine\'s own mountinfo: /proc is below /, the mounts inside it are not listed', () => {
  const below = mountPointsBelow('/');
  expect(below).toContain('/proc');
  expect(below.filter(point => point.startsWith('/proc/'))).toEqual([]);
});
