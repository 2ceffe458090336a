import { Names } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { contentHash, shortHash } from './hash';

/** Image Builder resource names: letters, digits, hyphens and underscores, at most 128 characters. */
const IMAGE_BUILDER_NAME_MAX = 128;

/**
 * A name for an Image Builder resource that is unique per stack and stable across syntheses:
 * derived from the construct path, never from tokens.
 */
export function imageBuilderName(scope: IConstruct, suffix?: string, maxLength: number = IMAGE_BUILDER_NAME_MAX): string {
  const base = Names.uniqueResourceName(scope, { maxLength: 80, separator: '-' });
  if (!suffix) {
    return sanitizeName(base).slice(0, maxLength);
  }
  const name = `${base}-${sanitizeName(suffix)}`;
  if (name.length <= maxLength) {
    return name;
  }
  const hash = shortHash(contentHash(name));
  return `${name.slice(0, maxLength - hash.length - 1)}-${hash}`;
}

/** Replaces what Image Builder names do not allow with hyphens. */
export function sanitizeName(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
}
