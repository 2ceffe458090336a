import type {
  Activity,
  AutoScalingGroup,
  DescribeAutoScalingGroupsCommandInput,
  DescribeAutoScalingGroupsCommandOutput,
  DescribeScalingActivitiesCommandInput,
  DescribeScalingActivitiesCommandOutput,
  SetDesiredCapacityCommandInput,
  SetDesiredCapacityCommandOutput,
  UpdateAutoScalingGroupCommandInput,
  UpdateAutoScalingGroupCommandOutput,
} from '@aws-sdk/client-auto-scaling';
import { serviceError } from './aws-errors';
import type { FakeElbv2, ProbeResult } from './elbv2';

/** How the instances a group launches behave. */
export interface InstanceBehaviour {
  /** Seconds from launch to InService, when the group registers the instance with its target groups. Default 40. */
  readonly launchSeconds?: number;
  /** Seconds after registration before the application answers health checks. Default 5. */
  readonly bootSeconds?: number;
  /** What health checks get once the application is up; default healthy. */
  readonly failure?: HealthFailure;
}

/** A failing health check answer. */
export interface HealthFailure {
  readonly reason: string;
  readonly description: string;
}

export const RESPONSE_CODE_MISMATCH: HealthFailure = {
  reason: 'Target.ResponseCodeMismatch',
  description: 'Health checks failed with these codes: [500]',
};

const CONNECTION_REFUSED: HealthFailure = { reason: 'Target.FailedHealthChecks', description: 'Health checks failed' };

export interface GroupOptions {
  readonly name: string;
  readonly minSize: number;
  readonly maxSize: number;
  /** Omitted in the template (as the deployment's templates do): the group starts at MinSize. */
  readonly desiredCapacity?: number;
  readonly targetGroupArns: readonly string[];
  readonly instances?: InstanceBehaviour;
  /** Every launch attempt fails with this status message (e.g. an AMI that does not exist). */
  readonly launchFailure?: string;
  /** Seconds between launch attempts after a failed one. Default 20. */
  readonly launchRetrySeconds?: number;
  /** The zones of the group's subnets; instances are spread over them in turn. Default us-east-1a and b. */
  readonly availabilityZones?: readonly string[];
}

interface InstanceRecord {
  readonly id: string;
  readonly availabilityZone: string;
  readonly launchedAt: number;
  readonly inServiceAt: number;
  readonly behaviour: InstanceBehaviour;
  terminatedAt?: number;
  /** Injected failure window: health checks fail from `from` until `until`. */
  failing?: { readonly from: number; readonly until?: number; readonly failure: HealthFailure };
}

interface ActivityRecord {
  readonly id: string;
  readonly description: string;
  readonly cause: string;
  readonly startedAt: number;
  /** Done at this time (may lie in the future: still in progress until then). */
  readonly endsAt: number;
  readonly status: 'Successful' | 'Failed';
  readonly statusMessage?: string;
}

export interface GroupRecord {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  minSize: number;
  maxSize: number;
  desired: number;
  readonly targetGroupArns: readonly string[];
  behaviour: InstanceBehaviour;
  launchFailure?: string;
  readonly launchRetrySeconds: number;
  readonly instances: InstanceRecord[];
  readonly activities: ActivityRecord[];
  readonly availabilityZones: readonly string[];
  /** Earliest time of the next launch attempt. */
  nextAttemptAt: number;
  /** Every change of desired capacity, for invariants. */
  readonly desiredHistory: { readonly at: number; readonly desired: number }[];
}

/**
 * Auto Scaling groups that launch instances in simulated time, register them with their
 * target groups once InService, and record scaling activities (failed launches included, with
 * the service's own status message).
 */
export class FakeAutoScaling {
  public readonly groups = new Map<string, GroupRecord>();
  private sequence = 0;

  public constructor(private readonly now: () => number, private readonly elbv2: FakeElbv2) {}

  // ---- setup and world changes ----

  /** CloudFormation creating a group: it starts launching at once. */
  public createGroup(options: GroupOptions): GroupRecord {
    if (this.groups.has(options.name)) {
      throw new Error(`fake: group ${options.name} already exists`);
    }
    const now = this.now();
    const desired = options.desiredCapacity ?? options.minSize;
    const group: GroupRecord = {
      name: options.name,
      arn: `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:${this.nextId(8)}-${this.nextId(4)}:autoScalingGroupName/${options.name}`,
      createdAt: now,
      minSize: options.minSize,
      maxSize: options.maxSize,
      desired,
      targetGroupArns: [...options.targetGroupArns],
      behaviour: options.instances ?? {},
      launchFailure: options.launchFailure,
      launchRetrySeconds: options.launchRetrySeconds ?? 20,
      instances: [],
      activities: [],
      availabilityZones: options.availabilityZones ?? ['us-east-1a', 'us-east-1b'],
      nextAttemptAt: now,
      desiredHistory: [{ at: now, desired }],
    };
    this.groups.set(group.name, group);
    this.reconcile();
    return group;
  }

  /** CloudFormation deleting a group: its instances terminate and deregister. */
  public deleteGroup(name: string): void {
    const group = this.requireGroupForSetup(name);
    this.reconcile();
    for (const instance of group.instances) {
      this.terminate(group, instance, this.now());
    }
    this.groups.delete(name);
  }

  /** From now on, launches fail with `message` (undefined: they succeed again). */
  public setLaunchFailure(name: string, message: string | undefined): void {
    this.reconcile();
    const group = this.requireGroupForSetup(name);
    group.launchFailure = message;
    group.nextAttemptAt = Math.max(group.nextAttemptAt, this.now());
  }

  /**
   * The group's own scaling policy changing its desired capacity (target tracking scaling
   * out or in), clamped to the group's bounds as Auto Scaling does.
   */
  public scaleByPolicy(name: string, desired: number): void {
    this.reconcile();
    const group = this.requireGroupForSetup(name);
    this.changeDesired(group, Math.min(Math.max(desired, group.minSize), group.maxSize));
  }

  /** How instances launched from now on behave. */
  public setInstanceBehaviour(name: string, behaviour: InstanceBehaviour): void {
    this.reconcile();
    this.requireGroupForSetup(name).behaviour = behaviour;
  }

  /** Make the group's current instances fail health checks from `from` (default now) until `until`. */
  public failInstances(name: string, options: { from?: number; until?: number; failure?: HealthFailure; count?: number } = {}): string[] {
    this.reconcile();
    const group = this.requireGroupForSetup(name);
    const victims = group.instances.filter((i) => i.terminatedAt === undefined).slice(0, options.count ?? Number.MAX_SAFE_INTEGER);
    for (const instance of victims) {
      instance.failing = { from: options.from ?? this.now(), until: options.until, failure: options.failure ?? RESPONSE_CODE_MISMATCH };
    }
    return victims.map((i) => i.id);
  }

  /** Launch what desired capacity asks for, up to now; called before every API call. */
  public reconcile(): void {
    const now = this.now();
    for (const group of this.groups.values()) {
      this.reconcileGroup(group, now);
    }
  }

  // ---- the API ----

  public describeAutoScalingGroups(input: DescribeAutoScalingGroupsCommandInput): DescribeAutoScalingGroupsCommandOutput {
    const names = input.AutoScalingGroupNames ?? [...this.groups.keys()];
    const groups = names.map((name) => this.groups.get(name)).filter((g): g is GroupRecord => g !== undefined);
    return { AutoScalingGroups: groups.map((g) => this.view(g)), $metadata: {} };
  }

  public setDesiredCapacity(input: SetDesiredCapacityCommandInput): SetDesiredCapacityCommandOutput {
    const group = this.requireGroup(input.AutoScalingGroupName);
    const desired = input.DesiredCapacity;
    if (desired === undefined || !Number.isInteger(desired)) {
      throw validation('DesiredCapacity is required');
    }
    if (desired > group.maxSize) {
      throw validation(`New SetDesiredCapacity value ${desired} is above max value ${group.maxSize} for the AutoScalingGroup.`);
    }
    if (desired < group.minSize) {
      throw validation(`New SetDesiredCapacity value ${desired} is below min value ${group.minSize} for the AutoScalingGroup.`);
    }
    this.changeDesired(group, desired);
    return { $metadata: {} };
  }

  public updateAutoScalingGroup(input: UpdateAutoScalingGroupCommandInput): UpdateAutoScalingGroupCommandOutput {
    const group = this.requireGroup(input.AutoScalingGroupName);
    const minSize = input.MinSize ?? group.minSize;
    const maxSize = input.MaxSize ?? group.maxSize;
    if (minSize > maxSize) {
      throw validation(`The minimum size ${minSize} is greater than the maximum size ${maxSize}.`);
    }
    let desired = input.DesiredCapacity ?? group.desired;
    if (input.DesiredCapacity !== undefined && (desired < minSize || desired > maxSize)) {
      throw validation(`Desired capacity:${desired} must be between the specified min size:${minSize} and max size:${maxSize}`);
    }
    // Without an explicit desired capacity, new bounds pull it along.
    desired = Math.min(Math.max(desired, minSize), maxSize);
    group.minSize = minSize;
    group.maxSize = maxSize;
    this.changeDesired(group, desired);
    return { $metadata: {} };
  }

  public describeScalingActivities(input: DescribeScalingActivitiesCommandInput): DescribeScalingActivitiesCommandOutput {
    const group = input.AutoScalingGroupName ? this.groups.get(input.AutoScalingGroupName) : undefined;
    if (!group) {
      return { Activities: [], $metadata: {} };
    }
    const maxRecords = input.MaxRecords ?? 100;
    if (maxRecords < 1 || maxRecords > 100) {
      throw validation('MaxRecords must be from 1 to 100');
    }
    const now = this.now();
    const newestFirst = [...group.activities].filter((a) => a.startedAt <= now).sort((a, b) => b.startedAt - a.startedAt);
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = newestFirst.slice(start, start + maxRecords);
    const activities: Activity[] = page.map((a) => ({
      ActivityId: a.id,
      AutoScalingGroupName: group.name,
      AutoScalingGroupARN: group.arn,
      Description: a.description,
      Cause: a.cause,
      StartTime: new Date(a.startedAt),
      ...(a.endsAt <= now ? { EndTime: new Date(a.endsAt) } : {}),
      StatusCode: a.endsAt <= now ? a.status : 'InProgress',
      ...(a.statusMessage && a.endsAt <= now ? { StatusMessage: a.statusMessage } : {}),
      Progress: a.endsAt <= now ? 100 : 50,
    }));
    const next = start + maxRecords < newestFirst.length ? String(start + maxRecords) : undefined;
    return { Activities: activities, ...(next ? { NextToken: next } : {}), $metadata: {} };
  }

  // ---- internals ----

  private changeDesired(group: GroupRecord, desired: number): void {
    this.reconcileGroup(group, this.now());
    if (desired !== group.desired) {
      group.desired = desired;
      group.desiredHistory.push({ at: this.now(), desired });
      // A new desired capacity starts a launch attempt at once, failed-launch back-off or not.
      group.nextAttemptAt = this.now();
      this.reconcileGroup(group, this.now());
    }
  }

  private reconcileGroup(group: GroupRecord, now: number): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const running = group.instances.filter((i) => i.terminatedAt === undefined);
      if (running.length > group.desired) {
        const newest = [...running].sort((a, b) => b.launchedAt - a.launchedAt).slice(0, running.length - group.desired);
        for (const instance of newest) {
          this.terminate(group, instance, now);
        }
        return;
      }
      if (running.length === group.desired || group.nextAttemptAt > now) {
        return;
      }
      const at = group.nextAttemptAt;
      if (group.launchFailure) {
        group.activities.push({
          id: this.activityId(),
          description: `Launching a new EC2 instance.  Status Reason: ${group.launchFailure}`,
          cause: `At ${iso(at)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${running.length} to ${group.desired}.`,
          startedAt: at,
          endsAt: at,
          status: 'Failed',
          statusMessage: group.launchFailure,
        });
        group.nextAttemptAt = at + group.launchRetrySeconds * 1000;
        continue;
      }
      for (let n = running.length; n < group.desired; n++) {
        this.launch(group, at, n, group.desired);
      }
      return;
    }
    throw new Error(`fake: group ${group.name} did not settle`);
  }

  private launch(group: GroupRecord, at: number, from: number, to: number): void {
    const behaviour = group.behaviour;
    const id = `i-${this.nextId(17)}`;
    const inServiceAt = at + (behaviour.launchSeconds ?? 40) * 1000;
    const availabilityZone = group.availabilityZones[group.instances.length % group.availabilityZones.length];
    const instance: InstanceRecord = { id, availabilityZone, launchedAt: at, inServiceAt, behaviour };
    group.instances.push(instance);
    group.activities.push({
      id: this.activityId(),
      description: `Launching a new EC2 instance: ${id}`,
      cause: `At ${iso(at)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${to}.`,
      startedAt: at,
      endsAt: inServiceAt,
      status: 'Successful',
    });
    for (const arn of group.targetGroupArns) {
      if (this.elbv2.targetGroups.has(arn)) {
        this.elbv2.registerTarget(arn, id, inServiceAt, (t) => probe(instance, t), availabilityZone);
      }
    }
  }

  private terminate(group: GroupRecord, instance: InstanceRecord, at: number): void {
    if (instance.terminatedAt !== undefined) {
      return;
    }
    instance.terminatedAt = at;
    group.activities.push({
      id: this.activityId(),
      description: `Terminating EC2 instance: ${instance.id}`,
      cause: `At ${iso(at)} an instance was taken out of service in response to a difference between desired and actual capacity.`,
      startedAt: at,
      endsAt: at,
      status: 'Successful',
    });
    for (const arn of group.targetGroupArns) {
      this.elbv2.deregisterTarget(arn, instance.id, at);
    }
  }

  private view(group: GroupRecord): AutoScalingGroup {
    const now = this.now();
    return {
      AutoScalingGroupName: group.name,
      AutoScalingGroupARN: group.arn,
      MinSize: group.minSize,
      MaxSize: group.maxSize,
      DesiredCapacity: group.desired,
      DefaultCooldown: 300,
      AvailabilityZones: [...group.availabilityZones],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 300,
      CreatedTime: new Date(group.createdAt),
      TargetGroupARNs: [...group.targetGroupArns],
      Instances: group.instances
        .filter((i) => i.terminatedAt === undefined)
        .map((i) => ({
          InstanceId: i.id,
          AvailabilityZone: i.availabilityZone,
          LifecycleState: i.inServiceAt <= now ? 'InService' : 'Pending',
          HealthStatus: 'Healthy',
          ProtectedFromScaleIn: false,
        })),
    };
  }

  private requireGroup(name: string | undefined): GroupRecord {
    const group = name ? this.groups.get(name) : undefined;
    if (!group) {
      throw validation(`AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
    }
    return group;
  }

  private requireGroupForSetup(name: string): GroupRecord {
    const group = this.groups.get(name);
    if (!group) {
      throw new Error(`fake: no group ${name}`);
    }
    return group;
  }

  private activityId(): string {
    return `${this.nextId(8)}-${this.nextId(4)}-${this.nextId(4)}-${this.nextId(4)}-${this.nextId(12)}`;
  }

  private nextId(length: number): string {
    this.sequence++;
    return this.sequence.toString(16).padStart(length, '0').slice(-length);
  }
}

/** What the instance's application answers to a health check at `at`. */
function probe(instance: InstanceRecord, at: number): ProbeResult {
  const failing = instance.failing;
  if (failing && at >= failing.from && (failing.until === undefined || at < failing.until)) {
    return { ok: false, ...failing.failure };
  }
  if (at < instance.inServiceAt + (instance.behaviour.bootSeconds ?? 5) * 1000) {
    return { ok: false, ...CONNECTION_REFUSED };
  }
  const failure = instance.behaviour.failure;
  return failure ? { ok: false, ...failure } : { ok: true };
}

function iso(at: number): string {
  return new Date(at).toISOString().replace('.000Z', 'Z');
}

function validation(message: string): Error {
  return serviceError('autoscaling', 'ValidationError', message);
}
