import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { aws } from './clients';
import { ReleaseFailure, describeError, hasErrorName } from '../errors';
import { targetGroupName } from '../traffic';

/** A target group's health, as the load balancer sees it. */
export interface TargetHealthSummary {
  readonly targetGroupArn: string;
  /** Targets in state "healthy". */
  readonly healthy: number;
  /** Registered targets that are not draining. */
  readonly total: number;
  /** One line per target that is not healthy: id, state, reason code and description. */
  readonly problems: readonly string[];
}

/** Read a target group's health; a missing group fails the release. */
export async function targetHealth(targetGroupArn: string): Promise<TargetHealthSummary> {
  let out;
  try {
    out = await aws().elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  } catch (error) {
    if (hasErrorName(error, 'TargetGroupNotFoundException')) {
      throw new ReleaseFailure(`target group ${targetGroupArn} does not exist (${describeError(error)})`);
    }
    throw error;
  }
  const targets = (out.TargetHealthDescriptions ?? []).filter((t) => !t.TargetHealth?.State?.includes('draining'));
  const problems = targets
    .filter((t) => t.TargetHealth?.State !== 'healthy')
    .map((t) => {
      const health = t.TargetHealth ?? {};
      const reason = [health.Reason, health.Description].filter(Boolean).join(': ');
      return `${t.Target?.Id ?? '?'} ${health.State ?? 'unknown'}${reason ? ` (${reason})` : ''}`;
    });
  return {
    targetGroupArn,
    healthy: targets.filter((t) => t.TargetHealth?.State === 'healthy').length,
    total: targets.length,
    problems,
  };
}

// Targets named in a message; the rest are counted. A fleet can have thousands of targets, and
// the message goes into the release state and CloudFormation's failure reason.
const NAMED_PROBLEMS = 3;

/** "2 of 3 targets in app-v2 healthy; i-0abc unhealthy (Target.Timeout: …)", bounded whatever the fleet's size. */
export function describeHealth(summary: TargetHealthSummary): string {
  const head = `${summary.healthy} of ${summary.total} targets in ${targetGroupName(summary.targetGroupArn)} healthy`;
  if (summary.problems.length === 0) {
    return head;
  }
  const named = summary.problems.slice(0, NAMED_PROBLEMS).join('; ');
  const more = summary.problems.length - NAMED_PROBLEMS;
  return more > 0 ? `${head}; ${named}; and ${more} more not healthy` : `${head}; ${named}`;
}
