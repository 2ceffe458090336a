import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  describeSplit,
  forwardOnly,
  forwardsOnlyTo,
  referencedTargetGroups,
  sameSplit,
  shareOf,
  splitFromActions,
  splitToActions,
  targetGroupName,
  weightedSplit,
} from '../../../src/handlers/release-controller/traffic';

const BLUE = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-blue/0123456789abcdef';
const GREEN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-green/fedcba9876543210';

describe('weightedSplit', () => {
  test('keeps both groups referenced at 0 % so the load balancer health-checks the new one', () => {
    const split = weightedSplit(BLUE, GREEN, 0, 300);
    expect(referencedTargetGroups(split)).toEqual([BLUE, GREEN]);
    expect(shareOf(split, GREEN)).toBe(0);
  });

  test('sticks clients only while both groups take traffic', () => {
    expect(weightedSplit(BLUE, GREEN, 0, 300).stickinessSeconds).toBe(0);
    expect(weightedSplit(BLUE, GREEN, 10, 300).stickinessSeconds).toBe(300);
    expect(weightedSplit(BLUE, GREEN, 100, 300).stickinessSeconds).toBe(0);
  });
});

describe('actions', () => {
  test('a single group without stickiness is a plain forward', () => {
    expect(splitToActions(forwardOnly(BLUE))).toEqual([{ Type: 'forward', Order: 1, TargetGroupArn: BLUE }]);
  });

  test('a weighted sticky split round-trips through the ELBv2 action shape', () => {
    const split = weightedSplit(BLUE, GREEN, 25, 60);
    const actions = splitToActions(split);
    expect(actions[0].ForwardConfig?.TargetGroupStickinessConfig).toEqual({ Enabled: true, DurationSeconds: 60 });
    expect(splitFromActions(actions)).toEqual(split);
  });

  test('reads both forms DescribeRules gives for a single-target forward as the same split', () => {
    const plain: Action[] = [{ Type: 'forward', Order: 1, TargetGroupArn: BLUE }];
    const config: Action[] = [{ Type: 'forward', Order: 1, TargetGroupArn: BLUE, ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE, Weight: 1 }] } }];
    expect(sameSplit(splitFromActions(plain), splitFromActions(config))).toBe(true);
  });

  test('a rule that does not end in a forward is not a split', () => {
    expect(splitFromActions([{ Type: 'fixed-response', Order: 1, FixedResponseConfig: { StatusCode: '503' } }])).toBeUndefined();
    expect(splitFromActions(undefined)).toBeUndefined();
  });
});

describe('comparing splits', () => {
  test('compares shares, not raw weights', () => {
    const a = { weights: [[BLUE, 1], [GREEN, 1]] as const, stickinessSeconds: 0 };
    const b = { weights: [[BLUE, 50], [GREEN, 50]] as const, stickinessSeconds: 0 };
    expect(sameSplit(a, b)).toBe(true);
    expect(sameSplit(a, { ...b, stickinessSeconds: 10 })).toBe(false);
    expect(sameSplit(a, weightedSplit(BLUE, GREEN, 10, 0))).toBe(false);
    expect(sameSplit(undefined, undefined)).toBe(true);
    expect(sameSplit(a, undefined)).toBe(false);
  });

  test('forwardsOnlyTo needs the one group and nothing else referenced, even at weight 0', () => {
    expect(forwardsOnlyTo(forwardOnly(GREEN), GREEN)).toBe(true);
    expect(forwardsOnlyTo(weightedSplit(BLUE, GREEN, 100, 0), GREEN)).toBe(false);
    expect(forwardsOnlyTo(undefined, GREEN)).toBe(false);
  });

  test('a split with no weight at all gives every group 0 %', () => {
    expect(shareOf({ weights: [[BLUE, 0]], stickinessSeconds: 0 }, BLUE)).toBe(0);
  });
});

test('messages name target groups by their short name', () => {
  expect(targetGroupName(BLUE)).toBe('web-blue');
  expect(targetGroupName('not-an-arn')).toBe('not-an-arn');
  expect(describeSplit(weightedSplit(BLUE, GREEN, 33, 120))).toBe('web-blue 67 %, web-green 33 % (sticky 120 s)');
  expect(describeSplit(undefined)).toBe('no forward action');
});
