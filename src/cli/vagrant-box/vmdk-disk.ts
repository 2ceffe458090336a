import * as fs from 'fs';
import * as path from 'path';
import { usageError } from '../core/cli-error';

/** What a box needs to know of its VMDK. */
export interface VmdkDisk {
  /** The file named on the command line (the sparse disk, or the descriptor). */
  readonly file: string;
  /** The files the disk is made of, in order: the descriptor first where it is its own file. */
  readonly files: readonly string[];
  /** The disk's virtual size, in bytes. */
  readonly capacityBytes: number;
  /** The bytes the files take (what the copy into the box moves). */
  readonly fileBytes: number;
  /** The VMDK variant (`createType`): monolithicSparse, streamOptimized, monolithicFlat, ... */
  readonly createType: string;
}

const SECTOR = 512;
const SPARSE_MAGIC = 'KDMV';
const DESCRIPTOR_MARK = '# Disk DescriptorFile';

/**
 * Reads a VMDK's header, refusing a file that is not one: a hosted sparse extent starts with the
 * magic `KDMV` and embeds its descriptor; a descriptor file (flat and split disks) starts with
 * `# Disk DescriptorFile` and names its extent files beside it. (VMware's Virtual Disk Format 1.1.)
 */
export function readVmdk(file: string, flag: string): VmdkDisk {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw usageError(`${flag} ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? e}): give the path of a .vmdk file`);
  }
  try {
    const head = Buffer.alloc(SECTOR);
    const read = fs.readSync(fd, head, 0, SECTOR, 0);
    const size = fs.fstatSync(fd).size;
    if (read >= 4 && head.toString('latin1', 0, 4) === SPARSE_MAGIC) {
      return readSparse(fd, file, head, size, flag);
    }
    if (head.toString('latin1', 0, read).startsWith(DESCRIPTOR_MARK)) {
      return readDescriptorFile(file, fs.readFileSync(file, 'latin1'), flag);
    }
    const magic = head.subarray(0, 4).toString('hex');
    throw usageError(`${flag} ${file}: not a VMDK (the file starts with 0x${magic}, not the sparse magic "KDMV" or "${DESCRIPTOR_MARK}"): `
      + 'convert it first, e.g. `qemu-img convert -O vmdk -o subformat=streamOptimized disk.img disk.vmdk`');
  } finally {
    fs.closeSync(fd);
  }
}

function readSparse(fd: number, file: string, head: Buffer, size: number, flag: string): VmdkDisk {
  // SparseExtentHeader: capacity (sectors) at byte 12, descriptorOffset/Size (sectors) at 28/36.
  const capacity = Number(head.readBigUInt64LE(12));
  const descriptorOffset = Number(head.readBigUInt64LE(28));
  const descriptorSize = Number(head.readBigUInt64LE(36));
  let createType = 'monolithicSparse';
  if (descriptorOffset > 0 && descriptorSize > 0 && descriptorSize < 2048) {
    const text = Buffer.alloc(descriptorSize * SECTOR);
    fs.readSync(fd, text, 0, text.length, descriptorOffset * SECTOR);
    createType = descriptorValue(text.toString('latin1').replace(/\0+$/, ''), 'createType') ?? createType;
  }
  if (capacity <= 0) {
    throw usageError(`${flag} ${file}: the VMDK header gives a capacity of ${capacity} sectors: the file is damaged; export or convert the disk again`);
  }
  return { file, files: [file], capacityBytes: capacity * SECTOR, fileBytes: size, createType };
}

function readDescriptorFile(file: string, text: string, flag: string): VmdkDisk {
  const extents = [...text.matchAll(/^\s*(?:RW|RDONLY|NOACCESS)\s+(\d+)\s+\w+\s+"([^"]+)"/gm)];
  if (extents.length === 0) {
    throw usageError(`${flag} ${file}: a VMDK descriptor with no extent lines (RW <sectors> <type> "<file>"): give the disk's descriptor file`);
  }
  const files = [file];
  for (const [, , name] of extents) {
    const extent = path.resolve(path.dirname(file), name);
    if (!fs.existsSync(extent)) {
      throw usageError(`${flag} ${file}: its extent "${name}" is not beside it (${extent}): copy the disk's extent files with the descriptor`);
    }
    files.push(extent);
  }
  return {
    file,
    files,
    capacityBytes: extents.reduce((sum, [, sectors]) => sum + Number(sectors) * SECTOR, 0),
    fileBytes: files.reduce((sum, f) => sum + fs.statSync(f).size, 0),
    createType: descriptorValue(text, 'createType') ?? 'monolithicFlat',
  };
}

function descriptorValue(text: string, key: string): string | undefined {
  return new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`, 'm').exec(text)?.[1];
}
