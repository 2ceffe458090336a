/** Commander's argument parser for a flag that may be given several times: collects every value in order. */
export function collectRepeated(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
