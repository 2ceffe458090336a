/**
 * How many runs a property test of the release controller makes. Every run of `npm test` plays
 * the same seeded cases, so more runs there buy no new coverage, only time: the everyday suite
 * runs a quick set, and `npm run test:deep` (FC_DEEP=1) the deep one, for changes to the
 * controller or the fake. FC_RUNS overrides both, for replaying or widening one search.
 */
export function propertyRuns(quick: number, deep: number): number {
  if (process.env.FC_RUNS) {
    return Number(process.env.FC_RUNS);
  }
  return process.env.FC_DEEP ? deep : quick;
}
