/**
 * The description of every component the library creates: the provisioner's name and the prop
 * it was given in. The command line reads the name back from a synthesised template, because a
 * component shared by a stack's images is not named after any one image's recipe.
 */
export function componentDescription(provisionerName: string, prop: string): string {
  return `${provisionerName} (${prop})${MANAGED}`;
}

/** The provisioner's name in a description written by {@link componentDescription}, if it is one. */
export function provisionerNameOf(description: unknown): string | undefined {
  if (typeof description !== 'string' || !description.endsWith(MANAGED)) {
    return undefined;
  }
  return /^(.+) \([^()]*\)$/.exec(description.slice(0, -MANAGED.length))?.[1];
}

const MANAGED = ', managed by cdk-immutable-infra';
