import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { sameConditions, warmUpConditions } from '../../../src/handlers/release-controller/conditions';
import { WARM_UP_HEADER } from '../../../src/release-contract/events';

describe('warmUpConditions', () => {
  test('match only a header no client sends, with a value derived from the request', () => {
    const [condition, ...rest] = warmUpConditions('request-1');
    expect(rest).toEqual([]);
    expect(condition.Field).toBe('http-header');
    expect(condition.HttpHeaderConfig?.HttpHeaderName).toBe(WARM_UP_HEADER);
    expect(condition.HttpHeaderConfig?.Values?.[0]).toMatch(/^[0-9a-f]{32}$/);
  });

  test('are the same for the same request and differ between requests', () => {
    expect(warmUpConditions('request-1')).toEqual(warmUpConditions('request-1'));
    expect(warmUpConditions('request-1')).not.toEqual(warmUpConditions('request-2'));
  });
});

describe('sameConditions', () => {
  const path = (...values: string[]): RuleCondition => ({ Field: 'path-pattern', PathPatternConfig: { Values: values } });

  test('reads the old (Values) and the typed (…Config) form DescribeRules echoes as the same condition', () => {
    expect(sameConditions([path('/*')], [{ Field: 'path-pattern', Values: ['/*'] }])).toBe(true);
  });

  test('ignores the order of conditions and of values, and the case of host names and header names', () => {
    const host = (...values: string[]): RuleCondition => ({ Field: 'host-header', HostHeaderConfig: { Values: values } });
    expect(sameConditions([path('/a', '/b'), host('Example.com')], [host('example.com'), path('/b', '/a')])).toBe(true);
    expect(sameConditions(
      [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Env', Values: ['blue'] } }],
      [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-env', Values: ['blue'] } }],
    )).toBe(true);
  });

  test('tells different conditions apart', () => {
    expect(sameConditions([path('/a')], [path('/b')])).toBe(false);
    expect(sameConditions([path('/a')], [path('/a'), path('/a')])).toBe(false);
    expect(sameConditions(
      [{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'v', Value: '1' }] } }],
      [{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'v', Value: '2' }] } }],
    )).toBe(false);
    expect(sameConditions([{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] } }], warmUpConditions('r'))).toBe(false);
  });
});
