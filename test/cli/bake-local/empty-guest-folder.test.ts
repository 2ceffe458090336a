import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emptyGuestFolder } from '../../../src/cli/bake-local/sandbox/overlay-root';

/*
 * An emulated restart empties the guest's /tmp, as a real boot does. The folder is the guest's,
 * seen from the host: what it links to must survive, for a link may name a host path.
 */
let work: string;
let guest: string;
let outside: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-guest-folder-'));
  guest = path.join(work, 'root');
  outside = path.join(work, 'host-files');
  fs.mkdirSync(path.join(outside, 'inner'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'inner', 'keep.txt'), 'host');
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

test('files, folders and links inside go; what a link points to stays', () => {
  const tmp = path.join(guest, 'tmp');
  fs.mkdirSync(path.join(tmp, 'build', 'deep'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'configure-1a2b3c4d.sh'), '#!/bin/bash\n');
  fs.writeFileSync(path.join(tmp, 'build', 'deep', 'file'), 'x');
  fs.symlinkSync(outside, path.join(tmp, 'to-host'));
  fs.symlinkSync(outside, path.join(tmp, 'build', 'nested-link'));

  emptyGuestFolder(tmp);

  expect(fs.readdirSync(tmp)).toEqual([]);
  expect(fs.statSync(tmp).isDirectory()).toBe(true);
  expect(fs.readFileSync(path.join(outside, 'inner', 'keep.txt'), 'utf-8')).toBe('host');
});

test('a folder that is itself a link is left alone, and a missing one is nothing to do', () => {
  fs.mkdirSync(guest, { recursive: true });
  fs.symlinkSync(outside, path.join(guest, 'tmp'));

  emptyGuestFolder(path.join(guest, 'tmp'));
  emptyGuestFolder(path.join(guest, 'missing'));

  expect(fs.readdirSync(outside)).toEqual(['inner']);
  expect(fs.readFileSync(path.join(outside, 'inner', 'keep.txt'), 'utf-8')).toBe('host');
});
