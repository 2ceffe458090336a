import { CfnResource } from '../assembly/cloud-assembly';

/** A template value as canonical text: object keys sorted, so equal values print equally. */
export function canonical(value: unknown): string {
  return value === undefined ? '(none)' : typeof value === 'string' ? value : JSON.stringify(sortKeys(value));
}

/** The top-level properties whose values differ between two versions of a resource. */
export function changedProperties(before: CfnResource, after: CfnResource, ignore: readonly string[] = []): string[] {
  const names = new Set([...Object.keys(before.Properties ?? {}), ...Object.keys(after.Properties ?? {})]);
  return [...names].filter(name => !ignore.includes(name)
    && canonical(before.Properties?.[name]) !== canonical(after.Properties?.[name])).sort();
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map(k => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}
