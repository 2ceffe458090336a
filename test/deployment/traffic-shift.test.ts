import { App, Duration, Stack } from 'aws-cdk-lib';
import { TrafficShift } from '../../src/deployment/traffic-shift';

describe('TrafficShift schedules', () => {
  test('all at once: one step, no time at partial weights', () => {
    const shift = TrafficShift.allAtOnce();
    expect(shift.steps).toEqual([100]);
    expect(shift.totalDuration.toSeconds()).toBe(0);
    expect(shift.percent).toBe(100);
  });

  test('canary: the first step, one interval, then the rest', () => {
    const shift = TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) });
    expect(shift.steps).toEqual([10, 100]);
    expect(shift.totalDuration.toSeconds()).toBe(300);
  });

  test('linear: equal steps, one interval at each partial weight', () => {
    expect(TrafficShift.linear({ percent: 25, interval: Duration.minutes(2) }).steps).toEqual([25, 50, 75, 100]);
    expect(TrafficShift.linear({ percent: 25, interval: Duration.minutes(2) }).totalDuration.toSeconds()).toBe(360);
    // A percent that does not divide 100: the last partial step is followed by 100.
    expect(TrafficShift.linear({ percent: 30, interval: Duration.seconds(60) }).steps).toEqual([30, 60, 90, 100]);
    expect(TrafficShift.linear({ percent: 30, interval: Duration.seconds(60) }).totalDuration.toSeconds()).toBe(180);
    expect(TrafficShift.linear({ percent: 99, interval: Duration.seconds(10) }).steps).toEqual([99, 100]);
    expect(TrafficShift.linear({ percent: 1, interval: Duration.seconds(1) }).steps).toHaveLength(100);
  });

  test('matches the release controller\'s schedule for every percent', () => {
    // The schedule the handler runs (release-contract/traffic-steps.ts): p, 2p, ... below 100, then 100.
    const { trafficSteps } = jest.requireActual('../../src/release-contract/traffic-steps');
    for (let percent = 1; percent <= 99; percent++) {
      expect(TrafficShift.linear({ percent, interval: Duration.seconds(1) }).steps).toEqual(trafficSteps('LINEAR', percent));
      expect(TrafficShift.canary({ percent, interval: Duration.seconds(1) }).steps).toEqual(trafficSteps('CANARY', percent));
    }
    expect(TrafficShift.allAtOnce().steps).toEqual(trafficSteps('ALL_AT_ONCE', 100));
  });
});

describe('TrafficShift validation names the scope and the prop', () => {
  const scope = new Stack(new App(), 'S');
  test.each([0, 100, -5, 33.3])('canary percent %p', (percent) => {
    expect(() => TrafficShift.canary({ percent, interval: Duration.minutes(1) })._validate(scope, 'trafficShift'))
      .toThrow(`S: invalid trafficShift.percent ${percent}: a canary shift moves a whole percentage from 1 to 99 per step (100 would be all at once). `
        + 'Give TrafficShift.canary({ percent }) a whole number from 1 to 99, or use TrafficShift.allAtOnce()');
  });
  test('linear percent', () => {
    expect(() => TrafficShift.linear({ percent: 120, interval: Duration.minutes(1) })._validate(scope, 'trafficShift'))
      .toThrow(/^S: invalid trafficShift\.percent 120: a linear shift .*Give TrafficShift\.linear\(\{ percent \}\)/);
  });
  test('valid shifts pass', () => {
    expect(() => TrafficShift.linear({ percent: 1, interval: Duration.seconds(0) })._validate(scope, 'trafficShift')).not.toThrow();
    expect(() => TrafficShift.canary({ percent: 99, interval: Duration.hours(1) })._validate(scope, 'trafficShift')).not.toThrow();
    expect(() => TrafficShift.allAtOnce()._validate(scope, 'trafficShift')).not.toThrow();
  });
});
