import { trafficSteps } from '../../src/release-contract/traffic-steps';

test('all at once is one step to 100 %, whatever the percent', () => {
  expect(trafficSteps('ALL_AT_ONCE', 100)).toEqual([100]);
  expect(trafficSteps('ALL_AT_ONCE', 10)).toEqual([100]);
});

test('a canary moves its percent, then the rest', () => {
  expect(trafficSteps('CANARY', 10)).toEqual([10, 100]);
  expect(trafficSteps('CANARY', 99)).toEqual([99, 100]);
});

test('linear moves its percent each step and ends at 100 even when the percent does not divide it', () => {
  expect(trafficSteps('LINEAR', 25)).toEqual([25, 50, 75, 100]);
  expect(trafficSteps('LINEAR', 30)).toEqual([30, 60, 90, 100]);
  expect(trafficSteps('LINEAR', 1)).toHaveLength(100);
});

test('a percent outside 1..99, or no number at all (an unresolved token), moves everything at once', () => {
  for (const percent of [100, 150, 0, -5, Number.NaN, -1.8881545897087626e+289]) {
    expect(trafficSteps('CANARY', percent)).toEqual([100]);
    expect(trafficSteps('LINEAR', percent)).toEqual([100]);
  }
});
