import * as crypto from 'crypto';

/**
 * Serialises a value with object keys sorted, so that equal content always hashes equally
 * whatever order a caller built it in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) {
        out[key] = sortKeys(v);
      }
    }
    return out;
  }
  return value;
}

/** SHA-256 of the canonical JSON of the given parts, as hex. */
export function contentHash(...parts: unknown[]): string {
  return sha256Hex(canonicalJson(parts));
}

/** SHA-256 of a text, as hex: `contentHash` of parts whose canonical JSON is already at hand. */
export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Image Builder version nodes are integers below 2^30. */
const MAX_VERSION_NODE = 2 ** 30;

/**
 * A semantic version whose patch number is derived from a content hash: a change of content
 * gives a new version (no "already exists" on replacement), equal content the same one.
 */
export function versionFromHash(hash: string, major: number = 1, minor: number = 0): string {
  const patch = parseInt(hash.slice(0, 8), 16) % MAX_VERSION_NODE;
  return `${major}.${minor}.${patch}`;
}

/** A short, stable key from a hash, for names and logical ids. */
export function shortHash(hash: string, length: number = 8): string {
  return hash.slice(0, length);
}
