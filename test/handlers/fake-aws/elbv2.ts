import type {
  Action,
  CreateRuleCommandInput,
  CreateRuleCommandOutput,
  DeleteRuleCommandInput,
  DeleteRuleCommandOutput,
  DescribeRulesCommandInput,
  DescribeRulesCommandOutput,
  DescribeTagsCommandInput,
  DescribeTagsCommandOutput,
  DescribeTargetHealthCommandInput,
  DescribeTargetHealthCommandOutput,
  ModifyRuleCommandInput,
  ModifyRuleCommandOutput,
  Rule,
  RuleCondition,
  SetRulePrioritiesCommandInput,
  SetRulePrioritiesCommandOutput,
  Tag,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { serviceError } from './aws-errors';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
// ALB quotas and API limits the fake enforces, per load balancer where the quota page says so:
// rules per Application Load Balancer 100 (default rule excluded), target groups per
// Application Load Balancer 100, load balancers per target group 1.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
const MAX_RULES_PER_LOAD_BALANCER = 100;
const MAX_TARGET_GROUPS_PER_LOAD_BALANCER = 100;
const DEFAULT_ZONES = ['us-east-1a', 'us-east-1b'];
const MAX_TARGET_GROUPS_PER_FORWARD = 5;
const MAX_WEIGHT = 999;
const MAX_STICKINESS_SECONDS = 604_800;
const MAX_PRIORITY = 50_000;

/** A target group's health check timing. */
export interface HealthCheckSettings {
  readonly intervalSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

/** What the target's application answers to a health check sent at a given time. */
export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly description: string };
export type TargetProbe = (at: number) => ProbeResult;

type CheckState = 'initial' | 'healthy' | 'unhealthy';

interface TargetRecord {
  readonly id: string;
  readonly port: number;
  readonly availabilityZone: string;
  readonly registeredAt: number;
  deregisteredAt?: number;
  readonly probe: TargetProbe;
  // Health checks are evaluated incrementally, from `epoch` (when checking last (re)started).
  epoch?: number;
  checks: number;
  okRun: number;
  failRun: number;
  state: CheckState;
  lastFailure?: ProbeResult;
}

export interface TargetGroupRecord {
  readonly arn: string;
  readonly name: string;
  readonly port: number;
  readonly healthCheck: HealthCheckSettings;
  readonly deregistrationDelaySeconds: number;
  readonly targets: Map<string, TargetRecord>;
  /** Since when a listener rule references the group; undefined while none does. */
  inUseSince?: number;
}

export interface RuleRecord {
  readonly arn: string;
  readonly listenerArn: string;
  priority: number | 'default';
  conditions: RuleCondition[];
  actions: Action[];
  /** Tags given at creation (CreateRule's Tags). */
  readonly tags: ReadonlyMap<string, string>;
}

export interface ListenerRecord {
  readonly arn: string;
  readonly loadBalancerName: string;
  /** `app/<name>/<id>`: the load balancer the listener belongs to. */
  readonly loadBalancer: string;
  /** The load balancer's enabled Availability Zones. */
  readonly availabilityZones: readonly string[];
  readonly rules: Map<string, RuleRecord>;
}

/** One change to a rule, whoever made it. */
export interface RuleChange {
  readonly at: number;
  readonly ruleArn: string;
  readonly by: 'api' | 'operator';
  readonly kind: 'create' | 'modify' | 'delete' | 'priority';
  readonly actions?: Action[];
  readonly conditions?: RuleCondition[];
}

export interface TargetGroupOptions {
  readonly name: string;
  readonly port?: number;
  readonly healthCheck?: Partial<HealthCheckSettings>;
  readonly deregistrationDelaySeconds?: number;
}

/** Health state of one target as DescribeTargetHealth would report it. */
export interface TargetHealthView {
  readonly id: string;
  readonly state: string;
  readonly reason?: string;
  readonly description?: string;
}

/**
 * Application Load Balancer listeners, rules and target groups, with health checks that run
 * in simulated time. Targets of a group that no rule references report "unused"
 * (Target.NotInUse), as on a real load balancer: checks start when a rule references the
 * group, at any weight.
 */
export class FakeElbv2 {
  public readonly listeners = new Map<string, ListenerRecord>();
  public readonly targetGroups = new Map<string, TargetGroupRecord>();
  public readonly ruleChanges: RuleChange[] = [];
  private sequence = 0;

  public constructor(private readonly now: () => number) {}

  // ---- setup (what CloudFormation or the user creates) ----

  /**
   * A load balancer with one listener whose default action answers 503 (what the
   * deployment's own ALB does), or another listener on the load balancer of `sameLoadBalancerAs`.
   */
  public createListener(loadBalancerName = 'web', options: { availabilityZones?: string[]; sameLoadBalancerAs?: string } = {}): string {
    const sibling = options.sameLoadBalancerAs ? this.requireListener(options.sameLoadBalancerAs) : undefined;
    const loadBalancer = sibling?.loadBalancer ?? `app/${loadBalancerName}/${this.nextId()}`;
    const arn = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/${loadBalancer}/${this.nextId()}`;
    const availabilityZones = sibling?.availabilityZones ?? options.availabilityZones ?? DEFAULT_ZONES;
    const listener: ListenerRecord = { arn, loadBalancerName: loadBalancer.split('/')[1], loadBalancer, availabilityZones, rules: new Map() };
    const defaultArn = `${arn.replace(':listener/', ':listener-rule/')}/${this.nextId()}`;
    listener.rules.set(defaultArn, {
      arn: defaultArn,
      listenerArn: arn,
      priority: 'default',
      conditions: [],
      actions: [{ Type: 'fixed-response', Order: 1, FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'no generation is live' } }],
      tags: new Map(),
    });
    this.listeners.set(arn, listener);
    return arn;
  }

  public createTargetGroup(options: TargetGroupOptions): string {
    const arn = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${options.name}/${this.nextId()}`;
    this.targetGroups.set(arn, {
      arn,
      name: options.name,
      port: options.port ?? 80,
      healthCheck: { intervalSeconds: 10, healthyThreshold: 2, unhealthyThreshold: 2, ...options.healthCheck },
      deregistrationDelaySeconds: options.deregistrationDelaySeconds ?? 30,
      targets: new Map(),
    });
    return arn;
  }

  /** CloudFormation deleting a target group: refused while a rule references it. */
  public deleteTargetGroup(arn: string): void {
    const group = this.requireTargetGroup(arn);
    const user = this.allRules().find((rule) => referencedGroups(rule.actions).includes(arn));
    if (user) {
      throw serviceError('elbv2', 'ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`);
    }
    this.targetGroups.delete(group.arn);
  }

  /** Register a target; `at` may lie in the future (an instance that will reach InService then). */
  public registerTarget(targetGroupArn: string, id: string, at: number, probe: TargetProbe, availabilityZone = DEFAULT_ZONES[0]): void {
    const group = this.requireTargetGroup(targetGroupArn);
    group.targets.set(id, { id, port: group.port, availabilityZone, registeredAt: at, probe, checks: 0, okRun: 0, failRun: 0, state: 'initial' });
  }

  public deregisterTarget(targetGroupArn: string, id: string, at: number): void {
    const target = this.targetGroups.get(targetGroupArn)?.targets.get(id);
    if (target && target.deregisteredAt === undefined) {
      target.deregisteredAt = at;
    }
  }

  // ---- views for tests and invariants (no faults, no call log) ----

  public rule(ruleArn: string): RuleRecord | undefined {
    return this.allRules().find((rule) => rule.arn === ruleArn);
  }

  public ruleAtPriority(listenerArn: string, priority: number): RuleRecord | undefined {
    return [...(this.listeners.get(listenerArn)?.rules.values() ?? [])].find((rule) => rule.priority === priority);
  }

  /** Non-default rules of the listener. */
  public rulesOf(listenerArn: string): RuleRecord[] {
    return [...(this.listeners.get(listenerArn)?.rules.values() ?? [])].filter((rule) => rule.priority !== 'default');
  }

  /** Health of every registered target, as DescribeTargetHealth would report it now. */
  public health(targetGroupArn: string): TargetHealthView[] {
    const group = this.requireTargetGroup(targetGroupArn);
    const now = this.now();
    const views: TargetHealthView[] = [];
    for (const target of group.targets.values()) {
      const view = this.evaluate(group, target, now);
      if (view) {
        views.push(view);
      }
    }
    return views;
  }

  public healthyCount(targetGroupArn: string): number {
    return this.targetGroups.has(targetGroupArn) ? this.health(targetGroupArn).filter((t) => t.state === 'healthy').length : 0;
  }

  /** Someone editing the rule by hand (console, CLI): applied at once, no faults. */
  public operatorModifyRule(ruleArn: string, actions: Action[]): void {
    const rule = this.requireRule(ruleArn);
    rule.actions = this.normaliseActions(actions);
    this.ruleChanges.push({ at: this.now(), ruleArn, by: 'operator', kind: 'modify', actions: rule.actions, conditions: rule.conditions });
    this.refreshUsage();
  }

  public operatorDeleteRule(ruleArn: string): void {
    const rule = this.requireRule(ruleArn);
    this.listeners.get(rule.listenerArn)?.rules.delete(ruleArn);
    this.ruleChanges.push({ at: this.now(), ruleArn, by: 'operator', kind: 'delete' });
    this.refreshUsage();
  }

  // ---- the API ----

  public createRule(input: CreateRuleCommandInput): CreateRuleCommandOutput {
    const listener = this.requireListener(input.ListenerArn);
    const priority = input.Priority;
    if (priority === undefined || !Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY) {
      throw validation(`Priority must be an integer from 1 to ${MAX_PRIORITY}`);
    }
    if ([...listener.rules.values()].some((rule) => rule.priority === priority)) {
      throw serviceError('elbv2', 'PriorityInUse', `Priority '${priority}' is currently in use`);
    }
    if (this.rulesOfLoadBalancer(listener.loadBalancer).length >= MAX_RULES_PER_LOAD_BALANCER) {
      throw serviceError('elbv2', 'TooManyRules', 'You\'ve reached the limit on the number of rules per load balancer');
    }
    const conditions = this.normaliseConditions(input.Conditions, true);
    const actions = this.normaliseActions(input.Actions);
    this.checkAssociations(listener, actions);
    const tags = validateTags(input.Tags ?? []);
    const arn = `${listener.arn.replace(':listener/', ':listener-rule/')}/${this.nextId()}`;
    const rule: RuleRecord = { arn, listenerArn: listener.arn, priority, conditions, actions, tags };
    listener.rules.set(arn, rule);
    this.ruleChanges.push({ at: this.now(), ruleArn: arn, by: 'api', kind: 'create', actions, conditions });
    this.refreshUsage();
    return { Rules: [this.view(rule)], $metadata: {} };
  }

  public modifyRule(input: ModifyRuleCommandInput): ModifyRuleCommandOutput {
    const rule = this.requireRule(input.RuleArn);
    if (rule.priority === 'default') {
      throw serviceError('elbv2', 'OperationNotPermitted', 'Default rules cannot be modified; use ModifyListener');
    }
    // Validate everything before changing anything: a rejected call changes nothing.
    const conditions = input.Conditions !== undefined ? this.normaliseConditions(input.Conditions, true) : rule.conditions;
    const actions = input.Actions !== undefined ? this.normaliseActions(input.Actions) : rule.actions;
    this.checkAssociations(this.requireListener(rule.listenerArn), actions, rule);
    rule.conditions = conditions;
    rule.actions = actions;
    this.ruleChanges.push({ at: this.now(), ruleArn: rule.arn, by: 'api', kind: 'modify', actions, conditions });
    this.refreshUsage();
    return { Rules: [this.view(rule)], $metadata: {} };
  }

  public deleteRule(input: DeleteRuleCommandInput): DeleteRuleCommandOutput {
    const rule = this.requireRule(input.RuleArn);
    if (rule.priority === 'default') {
      throw serviceError('elbv2', 'OperationNotPermitted', 'Default rules cannot be deleted');
    }
    this.listeners.get(rule.listenerArn)?.rules.delete(rule.arn);
    this.ruleChanges.push({ at: this.now(), ruleArn: rule.arn, by: 'api', kind: 'delete' });
    this.refreshUsage();
    return { $metadata: {} };
  }

  public describeRules(input: DescribeRulesCommandInput): DescribeRulesCommandOutput {
    if ((input.ListenerArn === undefined) === (input.RuleArns === undefined)) {
      throw validation('Specify either a listener ARN or rule ARNs');
    }
    if (input.RuleArns) {
      return { Rules: input.RuleArns.map((arn) => this.view(this.requireRule(arn))), $metadata: {} };
    }
    const listener = this.requireListener(input.ListenerArn);
    const pageSize = input.PageSize ?? 400;
    if (pageSize < 1 || pageSize > 400) {
      throw validation('PageSize must be from 1 to 400');
    }
    const ordered = [...listener.rules.values()].sort((a, b) => priorityOrder(a) - priorityOrder(b));
    const start = input.Marker ? Number(input.Marker) : 0;
    if (!Number.isInteger(start) || start < 0 || start > ordered.length) {
      throw validation(`Invalid marker '${input.Marker}'`);
    }
    const page = ordered.slice(start, start + pageSize);
    const next = start + pageSize < ordered.length ? String(start + pageSize) : undefined;
    return { Rules: page.map((rule) => this.view(rule)), ...(next ? { NextMarker: next } : {}), $metadata: {} };
  }

  public describeTags(input: DescribeTagsCommandInput): DescribeTagsCommandOutput {
    const arns = input.ResourceArns ?? [];
    // DescribeTags takes at most 20 resource ARNs (API reference, ResourceArns).
    if (arns.length === 0 || arns.length > 20) {
      throw validation('ResourceArns takes 1 to 20 ARNs');
    }
    return {
      TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: [...this.requireRule(arn).tags].map(([Key, Value]) => ({ Key, Value })) })),
      $metadata: {},
    };
  }

  public setRulePriorities(input: SetRulePrioritiesCommandInput): SetRulePrioritiesCommandOutput {
    const changes = (input.RulePriorities ?? []).map((p) => ({ rule: this.requireRule(p.RuleArn), priority: p.Priority }));
    for (const { rule, priority } of changes) {
      if (rule.priority === 'default') {
        throw serviceError('elbv2', 'OperationNotPermitted', 'The default rule\'s priority cannot be changed');
      }
      if (priority === undefined || !Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY) {
        throw validation(`Priority must be an integer from 1 to ${MAX_PRIORITY}`);
      }
      const clash = [...(this.listeners.get(rule.listenerArn)?.rules.values() ?? [])]
        .find((other) => other.priority === priority && !changes.some((c) => c.rule === other));
      if (clash) {
        throw serviceError('elbv2', 'PriorityInUse', `Priority '${priority}' is currently in use`);
      }
    }
    for (const { rule, priority } of changes) {
      rule.priority = priority!;
      this.ruleChanges.push({ at: this.now(), ruleArn: rule.arn, by: 'api', kind: 'priority' });
    }
    return { Rules: changes.map(({ rule }) => this.view(rule)), $metadata: {} };
  }

  public describeTargetHealth(input: DescribeTargetHealthCommandInput): DescribeTargetHealthCommandOutput {
    const group = this.requireTargetGroup(input.TargetGroupArn);
    const wanted = input.Targets?.map((t) => t.Id);
    const descriptions: TargetHealthDescription[] = this.health(group.arn)
      .filter((view) => wanted === undefined || wanted.includes(view.id))
      .map((view) => ({
        Target: { Id: view.id, Port: group.port },
        HealthCheckPort: String(group.port),
        TargetHealth: {
          State: view.state as NonNullable<TargetHealthDescription['TargetHealth']>['State'],
          ...(view.reason ? { Reason: view.reason as NonNullable<TargetHealthDescription['TargetHealth']>['Reason'] } : {}),
          ...(view.description ? { Description: view.description } : {}),
        },
      }));
    return { TargetHealthDescriptions: descriptions, $metadata: {} };
  }

  // ---- internals ----

  private evaluate(group: TargetGroupRecord, target: TargetRecord, now: number): TargetHealthView | undefined {
    if (target.registeredAt > now) {
      return undefined;
    }
    if (target.deregisteredAt !== undefined && target.deregisteredAt <= now) {
      return now < target.deregisteredAt + group.deregistrationDelaySeconds * 1000
        ? { id: target.id, state: 'draining', reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress' }
        : undefined;
    }
    if (group.inUseSince === undefined) {
      return { id: target.id, state: 'unused', reason: 'Target.NotInUse', description: 'Target group is not configured to receive traffic from the load balancer' };
    }
    // A load balancer node routes only to targets in the load balancer's enabled zones
    // (target-group-health-checks.html); a target elsewhere is not in use.
    const zones = this.loadBalancersOf(group.arn).flatMap((l) => l.availabilityZones);
    if (zones.length > 0 && !zones.includes(target.availabilityZone)) {
      return { id: target.id, state: 'unused', reason: 'Target.NotInUse', description: 'Target is in an Availability Zone that is not enabled for your load balancer' };
    }
    const epoch = Math.max(target.registeredAt, group.inUseSince);
    if (target.epoch !== epoch) {
      Object.assign(target, { epoch, checks: 0, okRun: 0, failRun: 0, state: 'initial', lastFailure: undefined });
    }
    const interval = group.healthCheck.intervalSeconds * 1000;
    while (epoch + (target.checks + 1) * interval <= now) {
      target.checks++;
      const result = target.probe(epoch + target.checks * interval);
      if (result.ok) {
        target.okRun++;
        target.failRun = 0;
        // "After your target is registered, it must pass one health check to be considered
        // healthy"; HealthyThresholdCount counts only for a target that was unhealthy.
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
        const needed = target.state === 'initial' ? 1 : group.healthCheck.healthyThreshold;
        if (target.state !== 'healthy' && target.okRun >= needed) {
          target.state = 'healthy';
        }
      } else {
        target.failRun++;
        target.okRun = 0;
        target.lastFailure = result;
        if (target.state !== 'unhealthy' && target.failRun >= group.healthCheck.unhealthyThreshold) {
          target.state = 'unhealthy';
        }
      }
    }
    if (target.state === 'healthy') {
      return { id: target.id, state: 'healthy' };
    }
    if (target.state === 'unhealthy' && target.lastFailure && !target.lastFailure.ok) {
      return { id: target.id, state: 'unhealthy', reason: target.lastFailure.reason, description: target.lastFailure.description };
    }
    return target.checks === 0
      ? { id: target.id, state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' }
      : { id: target.id, state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress' };
  }

  /** A group is in use from the moment any rule references it (at any weight) until none does. */
  private refreshUsage(): void {
    const referenced = new Set(this.allRules().flatMap((rule) => referencedGroups(rule.actions)));
    for (const group of this.targetGroups.values()) {
      if (referenced.has(group.arn)) {
        group.inUseSince ??= this.now();
      } else {
        group.inUseSince = undefined;
      }
    }
  }

  /** Non-default rules of every listener of a load balancer. */
  private rulesOfLoadBalancer(loadBalancer: string): RuleRecord[] {
    return [...this.listeners.values()].filter((l) => l.loadBalancer === loadBalancer).flatMap((l) => [...l.rules.values()]).filter((r) => r.priority !== 'default');
  }

  /** The listeners whose rules forward to a target group. */
  private loadBalancersOf(targetGroupArn: string): ListenerRecord[] {
    return [...this.listeners.values()].filter((l) => [...l.rules.values()].some((r) => referencedGroups(r.actions).includes(targetGroupArn)));
  }

  /** A target group serves one load balancer; a load balancer forwards to at most 100 target groups. */
  private checkAssociations(listener: ListenerRecord, actions: Action[], replacing?: RuleRecord): void {
    const groups = referencedGroups(actions);
    for (const arn of groups) {
      if (this.loadBalancersOf(arn).some((l) => l.loadBalancer !== listener.loadBalancer)) {
        throw serviceError('elbv2', 'TargetGroupAssociationLimit', `The following target groups cannot be associated with more than one load balancer: ${arn}`);
      }
    }
    const used = new Set(this.rulesOfLoadBalancer(listener.loadBalancer).filter((r) => r !== replacing).flatMap((r) => referencedGroups(r.actions)));
    groups.forEach((arn) => used.add(arn));
    if (used.size > MAX_TARGET_GROUPS_PER_LOAD_BALANCER) {
      throw serviceError('elbv2', 'TooManyUniqueTargetGroupsPerLoadBalancer', `You've reached the limit on the number of unique target groups per load balancer (${MAX_TARGET_GROUPS_PER_LOAD_BALANCER})`);
    }
  }

  /** Validate actions the way ELBv2 does and store them in the form DescribeRules echoes. */
  private normaliseActions(actions: Action[] | undefined): Action[] {
    if (!actions || actions.length === 0) {
      throw validation('A rule must have at least one action');
    }
    const ordered = [...actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
    const terminal = ordered.filter((a) => a.Type === 'forward' || a.Type === 'redirect' || a.Type === 'fixed-response');
    if (terminal.length !== 1 || ordered[ordered.length - 1] !== terminal[0]) {
      throw serviceError('elbv2', 'InvalidLoadBalancerAction', 'A rule must end in exactly one forward, redirect or fixed-response action');
    }
    return ordered.map((action, index) => (action.Type === 'forward' ? this.normaliseForward(action, index + 1) : { ...action, Order: action.Order ?? index + 1 }));
  }

  private normaliseForward(action: Action, order: number): Action {
    const tuples = action.ForwardConfig?.TargetGroups;
    if (action.TargetGroupArn && tuples && (tuples.length !== 1 || tuples[0].TargetGroupArn !== action.TargetGroupArn)) {
      throw validation('With both TargetGroupArn and ForwardConfig, ForwardConfig must name that one target group only');
    }
    const groups = tuples && tuples.length > 0
      ? tuples.map((t) => ({ TargetGroupArn: t.TargetGroupArn, Weight: t.Weight ?? 1 }))
      : action.TargetGroupArn ? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }] : [];
    if (groups.length === 0) {
      throw validation('A forward action needs a target group');
    }
    if (groups.length > MAX_TARGET_GROUPS_PER_FORWARD) {
      throw validation(`A forward action can name at most ${MAX_TARGET_GROUPS_PER_FORWARD} target groups`);
    }
    if (new Set(groups.map((g) => g.TargetGroupArn)).size !== groups.length) {
      throw validation('A target group can appear only once in a forward action');
    }
    for (const g of groups) {
      if (!Number.isInteger(g.Weight) || g.Weight < 0 || g.Weight > MAX_WEIGHT) {
        throw validation(`Target group weight must be an integer from 0 to ${MAX_WEIGHT}, got ${g.Weight}`);
      }
      if (!g.TargetGroupArn || !this.targetGroups.has(g.TargetGroupArn)) {
        throw serviceError('elbv2', 'TargetGroupNotFound', `One or more target groups not found: ${g.TargetGroupArn}`);
      }
    }
    const stickiness = action.ForwardConfig?.TargetGroupStickinessConfig;
    if (stickiness?.Enabled) {
      const seconds = stickiness.DurationSeconds;
      if (seconds === undefined || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_STICKINESS_SECONDS) {
        throw validation(`Target group stickiness duration must be from 1 to ${MAX_STICKINESS_SECONDS} seconds`);
      }
    }
    return {
      Type: 'forward',
      Order: action.Order ?? order,
      ...(groups.length === 1 ? { TargetGroupArn: groups[0].TargetGroupArn } : {}),
      ForwardConfig: {
        TargetGroups: groups,
        TargetGroupStickinessConfig: stickiness?.Enabled ? { Enabled: true, DurationSeconds: stickiness.DurationSeconds } : { Enabled: false },
      },
    };
  }

  private normaliseConditions(conditions: RuleCondition[] | undefined, required: boolean): RuleCondition[] {
    if (required && (!conditions || conditions.length === 0)) {
      throw validation('A rule must have at least one condition');
    }
    return (conditions ?? []).map((condition) => {
      if (!condition.Field) {
        throw validation('Each condition needs a Field');
      }
      // ELBv2 echoes host-header and path-pattern values in both the old and the typed form.
      if (condition.Field === 'path-pattern') {
        const values = condition.PathPatternConfig?.Values ?? condition.Values ?? [];
        requireValues(values, condition.Field);
        return { Field: condition.Field, Values: values, PathPatternConfig: { Values: values } };
      }
      if (condition.Field === 'host-header') {
        const values = condition.HostHeaderConfig?.Values ?? condition.Values ?? [];
        requireValues(values, condition.Field);
        return { Field: condition.Field, Values: values, HostHeaderConfig: { Values: values } };
      }
      if (condition.Field === 'http-header') {
        requireValues(condition.HttpHeaderConfig?.Values ?? [], condition.Field);
      }
      return structuredClone(condition);
    });
  }

  private view(rule: RuleRecord): Rule {
    return {
      RuleArn: rule.arn,
      Priority: String(rule.priority),
      Conditions: structuredClone(rule.conditions),
      Actions: structuredClone(rule.actions),
      IsDefault: rule.priority === 'default',
    };
  }

  private allRules(): RuleRecord[] {
    return [...this.listeners.values()].flatMap((listener) => [...listener.rules.values()]);
  }

  private requireListener(arn: string | undefined): ListenerRecord {
    const listener = arn ? this.listeners.get(arn) : undefined;
    if (!listener) {
      throw serviceError('elbv2', 'ListenerNotFound', `One or more listeners not found: ${arn}`);
    }
    return listener;
  }

  private requireRule(arn: string | undefined): RuleRecord {
    const rule = arn ? this.rule(arn) : undefined;
    if (!rule) {
      throw serviceError('elbv2', 'RuleNotFound', `One or more rules not found: ${arn}`);
    }
    return rule;
  }

  private requireTargetGroup(arn: string | undefined): TargetGroupRecord {
    const group = arn ? this.targetGroups.get(arn) : undefined;
    if (!group) {
      throw serviceError('elbv2', 'TargetGroupNotFound', `One or more target groups not found: ${arn}`);
    }
    return group;
  }

  private nextId(): string {
    this.sequence++;
    return this.sequence.toString(16).padStart(16, '0');
  }
}

/** Target groups an action list references, at any weight. */
export function referencedGroups(actions: readonly Action[]): string[] {
  return actions.flatMap((action) => {
    if (action.Type !== 'forward') {
      return [];
    }
    const tuples = action.ForwardConfig?.TargetGroups ?? [];
    return tuples.length > 0 ? tuples.map((t) => t.TargetGroupArn ?? '') : action.TargetGroupArn ? [action.TargetGroupArn] : [];
  });
}

/** Percent of traffic per target group for a rule's actions. */
export function trafficShares(actions: readonly Action[]): Map<string, number> {
  const forward = actions.find((action) => action.Type === 'forward');
  const shares = new Map<string, number>();
  if (!forward) {
    return shares;
  }
  const tuples = forward.ForwardConfig?.TargetGroups?.length
    ? forward.ForwardConfig.TargetGroups.map((t) => [t.TargetGroupArn ?? '', t.Weight ?? 1] as const)
    : forward.TargetGroupArn ? [[forward.TargetGroupArn, 1] as const] : [];
  const total = tuples.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [arn, weight] of tuples) {
    shares.set(arn, total === 0 ? 0 : (weight * 100) / total);
  }
  return shares;
}

function priorityOrder(rule: RuleRecord): number {
  return rule.priority === 'default' ? Number.MAX_SAFE_INTEGER : rule.priority;
}

function requireValues(values: readonly string[], field: string): void {
  if (values.length === 0 || values.some((v) => v.length === 0)) {
    throw validation(`Condition '${field}' needs at least one non-empty value`);
  }
}

/**
 * Tags as ELBv2 takes them: at most 50 per resource, keys of 1-128 characters (the API's Tag
 * shape) not starting with "aws:" (reserved), values up to 256, no key twice.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rule-tags.html
 */
function validateTags(tags: readonly Tag[]): Map<string, string> {
  if (tags.length > 50) {
    throw serviceError('elbv2', 'TooManyTags', 'You\'ve reached the limit on the number of tags for this resource');
  }
  const map = new Map<string, string>();
  for (const tag of tags) {
    const key = tag.Key ?? '';
    if (key.length < 1 || key.length > 128 || key.toLowerCase().startsWith('aws:') || (tag.Value ?? '').length > 256) {
      throw validation(`Invalid tag key or value: '${key}'`);
    }
    if (map.has(key)) {
      throw serviceError('elbv2', 'DuplicateTagKeys', `Tag key '${key}' was specified more than once`);
    }
    map.set(key, tag.Value ?? '');
  }
  return map;
}

function validation(message: string): Error {
  return serviceError('elbv2', 'ValidationError', message);
}
