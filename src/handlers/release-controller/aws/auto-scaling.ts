import {
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import { aws } from './clients';
import { ReleaseFailure, describeError, hasErrorName } from '../errors';
import type { GenerationRef, ReleaseConfig } from '../properties';

/** An Auto Scaling group's size. */
export interface GroupCapacity {
  readonly name: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desired: number;
}

/** The group, or undefined when it does not exist. */
export async function describeGroup(name: string): Promise<GroupCapacity | undefined> {
  const out = await aws().autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  const group = out.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === name);
  if (!group) {
    return undefined;
  }
  return { name, minSize: group.MinSize ?? 0, maxSize: group.MaxSize ?? 0, desired: group.DesiredCapacity ?? 0 };
}

/** A generation's group; one that does not exist fails the release. */
export async function describeGenerationGroup(generation: GenerationRef): Promise<GroupCapacity> {
  const group = await describeGroup(generation.autoScalingGroupName);
  if (!group) {
    throw new ReleaseFailure(`Auto Scaling group ${generation.autoScalingGroupName} of generation ${generation.key} does not exist`);
  }
  return group;
}

/**
 * How many instances the released generation runs: as many as the live one runs now (so a
 * release never shrinks a fleet that scaled out), or the configured first size; clamped to
 * the properties' bounds and the group's own, and never 0 (a group with no targets cannot
 * take traffic).
 */
export function releaseSize(config: ReleaseConfig, group: GroupCapacity, live: GroupCapacity | undefined): number {
  const base = live ? live.desired : config.desiredCapacity ?? config.minCapacity;
  const bounded = Math.min(Math.max(base, config.minCapacity, group.minSize), config.maxCapacity, group.maxSize);
  if (Math.min(config.maxCapacity, group.maxSize) < 1) {
    throw new ReleaseFailure(`Auto Scaling group ${group.name} allows at most ${group.maxSize} instances; a generation needs at least 1 to take traffic`);
  }
  return Math.max(bounded, 1);
}

/**
 * Raise the group's desired capacity to `desired` if it is lower. Never lowers it: the
 * group may have scaled out on its own, and lowering is not the controller's business.
 */
export async function raiseDesired(group: GroupCapacity, desired: number): Promise<boolean> {
  if (group.desired >= desired) {
    return false;
  }
  try {
    await aws().autoScaling.send(new SetDesiredCapacityCommand({
      AutoScalingGroupName: group.name,
      DesiredCapacity: desired,
      HonorCooldown: false,
    }));
  } catch (error) {
    if (hasErrorName(error, 'ValidationError')) {
      throw new ReleaseFailure(`cannot set the desired capacity of ${group.name} to ${desired}: ${describeError(error)}`);
    }
    throw error;
  }
  return true;
}

const LAUNCH = /^Launching a new EC2 instance/;

/**
 * The Auto Scaling service's own message when the group's most recent instance launch
 * (since `sinceMs`, if given) failed; undefined when launches are succeeding or pending.
 */
export async function latestLaunchFailure(name: string, sinceMs?: number): Promise<string | undefined> {
  const out = await aws().autoScaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name, MaxRecords: 20 }));
  const launches = (out.Activities ?? [])
    .filter((a) => LAUNCH.test(a.Description ?? ''))
    .filter((a) => sinceMs === undefined || (a.StartTime?.getTime() ?? 0) >= sinceMs)
    .sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0));
  const latest = launches[0];
  if (latest && (latest.StatusCode === 'Failed' || latest.StatusCode === 'Cancelled')) {
    return latest.StatusMessage || latest.Description || `launch ${latest.ActivityId} ${latest.StatusCode}`;
  }
  return undefined;
}
