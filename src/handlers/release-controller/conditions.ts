import { createHash } from 'node:crypto';
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { WARM_UP_HEADER } from '../../release-contract/events';


/**
 * Conditions no real request matches: a header carrying a value derived from the request id.
 * The first generation's target group must sit in a rule before the load balancer will
 * health-check it (targets of an unreferenced group stay "unused"), but it must not get
 * traffic before it is healthy; so the first rule starts with these and gets the real
 * conditions at activation.
 */
export function warmUpConditions(requestId: string): RuleCondition[] {
  const token = createHash('sha256').update(`warm-up\n${requestId}`).digest('hex').slice(0, 32);
  return [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: WARM_UP_HEADER, Values: [token] } }];
}

/**
 * True when two condition lists match the same requests. DescribeRules echoes conditions in
 * both the old form (Values) and the typed one (…Config), so compare by meaning, not by JSON.
 */
export function sameConditions(a: readonly RuleCondition[], b: readonly RuleCondition[]): boolean {
  const keysA = a.map(conditionKey).sort();
  const keysB = b.map(conditionKey).sort();
  return keysA.length === keysB.length && keysA.every((key, i) => key === keysB[i]);
}

function conditionKey(condition: RuleCondition): string {
  const field = condition.Field ?? '';
  const sorted = (values: readonly string[] | undefined) => [...(values ?? [])].sort();
  const regex = sorted(condition.RegexValues);
  switch (field) {
    case 'host-header': {
      const hosts = (condition.HostHeaderConfig?.Values ?? condition.Values)?.map((v) => v.toLowerCase());
      return JSON.stringify([field, sorted(hosts), regex]);
    }
    case 'path-pattern':
      return JSON.stringify([field, sorted(condition.PathPatternConfig?.Values ?? condition.Values), regex]);
    case 'http-header': {
      const header = condition.HttpHeaderConfig;
      return JSON.stringify([field, header?.HttpHeaderName?.toLowerCase(), sorted(header?.Values), regex]);
    }
    case 'query-string':
      return JSON.stringify([field, sorted(condition.QueryStringConfig?.Values?.map((kv) => `${kv.Key ?? ''}=${kv.Value ?? ''}`))]);
    case 'http-request-method':
      return JSON.stringify([field, sorted(condition.HttpRequestMethodConfig?.Values)]);
    case 'source-ip':
      return JSON.stringify([field, sorted(condition.SourceIpConfig?.Values)]);
    default:
      return JSON.stringify(condition);
  }
}
