/**
 * AWSTOE's file encodings (utf8 by default; utf16 and utf32 little-endian unless the name says
 * BE), as Node buffers.
 */
export function encodeText(value: string, encoding: unknown): Buffer {
  const kind = encodingKind(encoding);
  if (kind === 'utf8') {
    return Buffer.from(value, 'utf-8');
  }
  if (kind.startsWith('utf16')) {
    const buffer = Buffer.from(value, 'utf16le');
    return kind === 'utf16be' ? buffer.swap16() : buffer;
  }
  const points = Array.from(value, ch => ch.codePointAt(0)!);
  const buffer = Buffer.alloc(points.length * 4);
  points.forEach((point, i) => (kind === 'utf32be' ? buffer.writeUInt32BE(point, i * 4) : buffer.writeUInt32LE(point, i * 4)));
  return buffer;
}

export function decodeText(buffer: Buffer, encoding: unknown): string {
  const kind = encodingKind(encoding);
  if (kind === 'utf8') {
    return buffer.toString('utf-8');
  }
  if (kind.startsWith('utf16')) {
    return (kind === 'utf16be' ? Buffer.from(buffer).swap16() : buffer).toString('utf16le');
  }
  const points: number[] = [];
  for (let i = 0; i + 3 < buffer.length; i += 4) {
    points.push(kind === 'utf32be' ? buffer.readUInt32BE(i) : buffer.readUInt32LE(i));
  }
  return String.fromCodePoint(...points);
}

type EncodingKind = 'utf8' | 'utf16le' | 'utf16be' | 'utf32le' | 'utf32be';

function encodingKind(encoding: unknown): EncodingKind {
  const name = String(encoding ?? 'utf8').toLowerCase().replace(/-/g, '');
  if (name === 'utf8') return 'utf8';
  if (name === 'utf16' || name === 'utf16le') return 'utf16le';
  if (name === 'utf16be') return 'utf16be';
  if (name === 'utf32' || name === 'utf32le') return 'utf32le';
  if (name === 'utf32be') return 'utf32be';
  throw new Error(`encoding '${String(encoding)}' is not one AWSTOE knows (utf8, utf16, utf16-BE, utf32, utf32-BE, ...)`);
}
