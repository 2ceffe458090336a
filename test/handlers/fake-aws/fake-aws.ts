import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  SetRulePrioritiesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeAutoScaling, type InstanceBehaviour } from './autoscaling';
import { serverError, throttlingError, timeoutError, type ServiceName } from './aws-errors';
import { FakeCloudWatch } from './cloudwatch';
import { FakeElbv2, type HealthCheckSettings } from './elbv2';
import { FakeEventBridge } from './eventbridge';
import { FaultInjector, type FaultKind } from './faults';
import { SeededRandom } from './rng';
import { SimClock } from './sim-clock';
import { FakeSsm } from './ssm';
import type { GenerationProperties } from '../../../src/deployment/release-properties';
import { setClock } from '../../../src/handlers/release-controller/clock';
import { setLogSink, type LogRecord } from '../../../src/handlers/release-controller/log';
import type { ReleaseState } from '../../../src/handlers/release-controller/state';

/** One API call the code under test made. */
export interface CallRecord {
  readonly at: number;
  /** Qualified: 'elbv2:ModifyRule'. */
  readonly operation: string;
  readonly input: unknown;
  /** 'ok', the fault that hit it, or the name of the service error it got. */
  outcome: string;
  /** Which runInvocation it belongs to (0: outside any). */
  readonly invocation: number;
}

/** How one handler invocation ended. */
export type InvocationOutcome<T> =
  | { readonly kind: 'returned'; readonly value: T }
  | { readonly kind: 'threw'; readonly error: unknown }
  | { readonly kind: 'crashed'; readonly operation: string };

export interface FakeAwsOptions {
  /** Seed of the RNG behind probabilistic faults. Default 1. */
  readonly seed?: number;
  /** Simulated start time (ms since the epoch). */
  readonly start?: number;
}

/** What CloudFormation creates for one generation (the controller never creates these). */
export interface GenerationSpec {
  readonly key: string;
  readonly minSize?: number;
  readonly maxSize?: number;
  /** The deployment's templates set none; tests may, to model an older template. */
  readonly desiredCapacity?: number;
  readonly instances?: InstanceBehaviour;
  readonly launchFailure?: string;
  readonly healthCheck?: Partial<HealthCheckSettings>;
  readonly deregistrationDelaySeconds?: number;
}

export interface FakeGeneration {
  readonly key: string;
  readonly targetGroupArn: string;
  readonly autoScalingGroupName: string;
  /** As the construct passes it in the release properties. */
  readonly properties: GenerationProperties;
}

interface ScheduledChange {
  readonly at: number;
  readonly label: string;
  readonly apply: () => void;
}

/**
 * A stateful fake of the AWS APIs the release controller calls, wired into the SDK v3
 * clients with aws-sdk-client-mock. One simulated clock drives everything: the controller
 * reads it through its clock module, instances launch and pass health checks on it, and
 * scheduled world changes fire on it. Faults (throttling, 5xx, timeouts, lost responses,
 * crashes) are injected per operation, by count, time window or seeded probability.
 */
export class FakeAws {
  public readonly clock: SimClock;
  public readonly random: SeededRandom;
  public readonly faults: FaultInjector;
  public readonly elbv2: FakeElbv2;
  public readonly autoScaling: FakeAutoScaling;
  public readonly cloudWatch: FakeCloudWatch;
  public readonly ssm: FakeSsm;
  public readonly eventBridge: FakeEventBridge;
  public readonly calls: CallRecord[] = [];
  /** Everything the code under test logged. */
  public readonly logs: LogRecord[] = [];
  private readonly schedule: ScheduledChange[] = [];
  private readonly stubs: MockedClient[] = [];
  private crash?: (operation: string) => void;
  private invocation = 0;
  private parsedState?: { readonly value: string; readonly state: ReleaseState };
  private watcher?: { readonly stepMs: number; readonly observe: (now: number) => void };
  private requestSequence = 0;

  public constructor(options: FakeAwsOptions = {}) {
    this.clock = new SimClock(options.start);
    this.random = new SeededRandom(options.seed ?? 1);
    this.faults = new FaultInjector(this.random);
    const now = () => this.clock.now();
    this.elbv2 = new FakeElbv2(now);
    this.autoScaling = new FakeAutoScaling(now, this.elbv2);
    this.cloudWatch = new FakeCloudWatch(now);
    this.ssm = new FakeSsm(now);
    this.eventBridge = new FakeEventBridge(now);
  }

  /** Mock the SDK clients, and point the controller's clock and logs at this fake. */
  public install(): this {
    this.wireElbv2();
    this.wireAutoScaling();
    this.wireCloudWatch();
    this.wireSsm();
    this.wireEventBridge();
    setClock(this.clock);
    setLogSink((record) => this.logs.push(record));
    return this;
  }

  /** Undo install(). */
  public restore(): void {
    for (const stub of this.stubs.splice(0)) {
      stub.restore();
    }
    setClock();
    setLogSink();
  }

  // ---- time and world changes ----

  /** Run `apply` once simulated time reaches `at` (ms since the epoch), before the next API call or check. */
  public at(at: number, label: string, apply: () => void): void {
    this.schedule.push({ at, label, apply });
    this.schedule.sort((a, b) => a.at - b.at);
  }

  /** Run `apply` `seconds` from now. */
  public after(seconds: number, label: string, apply: () => void): void {
    this.at(this.clock.now() + seconds * 1000, label, apply);
  }

  /** Move time on and let the world catch up (in the watchers' steps, when there are any). */
  public advance(seconds: number): void {
    if (!this.watcher) {
      this.clock.advance(seconds * 1000);
      this.reconcile();
      return;
    }
    const end = this.clock.now() + seconds * 1000;
    while (this.clock.now() < end) {
      this.clock.advance(Math.min(this.watcher.stepMs, end - this.clock.now()));
      this.reconcile();
      this.watcher.observe(this.clock.now());
    }
  }

  /**
   * Observe the world every `stepSeconds` of simulated time, however far each advance goes
   * (the harness moves a query interval at once): for figures that change with time alone,
   * such as when targets turn healthy.
   */
  public watch(stepSeconds: number, observe: (now: number) => void): void {
    this.watcher = { stepMs: stepSeconds * 1000, observe };
  }

  /** Apply due scheduled changes and let Auto Scaling launch what it owes, up to now. */
  public reconcile(): void {
    const now = this.clock.now();
    while (this.schedule.length > 0 && this.schedule[0].at <= now) {
      this.schedule.shift()!.apply();
    }
    this.autoScaling.reconcile();
  }

  // ---- invocations ----

  /**
   * Run one handler invocation. A crash fault ends it where it strikes: the call never
   * returns and nothing after it runs, like a Lambda that timed out or was killed.
   */
  public async runInvocation<T>(fn: () => Promise<T>): Promise<InvocationOutcome<T>> {
    this.invocation++;
    // Nothing reads sinon's call history (the fake keeps its own); dropping it keeps a long
    // property run from holding every command it ever sent.
    for (const stub of this.stubs) {
      stub.send.resetHistory();
    }
    let signal: (operation: string) => void = () => undefined;
    const crashed = new Promise<InvocationOutcome<T>>((resolve) => {
      signal = (operation) => resolve({ kind: 'crashed', operation });
    });
    this.crash = signal;
    try {
      const ran = fn().then(
        (value): InvocationOutcome<T> => ({ kind: 'returned', value }),
        (error: unknown): InvocationOutcome<T> => ({ kind: 'threw', error }),
      );
      return await Promise.race([ran, crashed]);
    } finally {
      this.crash = undefined;
    }
  }

  /** A CloudFormation-style request id. */
  public newRequestId(): string {
    this.requestSequence++;
    const n = this.requestSequence.toString(16).padStart(12, '0');
    return `5f0c0f6e-0000-4000-8000-${n}`;
  }

  // ---- what CloudFormation does around the release resource ----

  /** Create a generation's target group and Auto Scaling group (which starts launching at MinSize). */
  public createGeneration(spec: GenerationSpec): FakeGeneration {
    this.reconcile();
    const targetGroupArn = this.elbv2.createTargetGroup({
      name: `web-${spec.key}`,
      healthCheck: spec.healthCheck,
      deregistrationDelaySeconds: spec.deregistrationDelaySeconds,
    });
    const autoScalingGroupName = `Stack-WebGeneration${spec.key}Group-${spec.key.toUpperCase()}`;
    this.autoScaling.createGroup({
      name: autoScalingGroupName,
      minSize: spec.minSize ?? 1,
      maxSize: spec.maxSize ?? 4,
      desiredCapacity: spec.desiredCapacity,
      targetGroupArns: [targetGroupArn],
      instances: spec.instances,
      launchFailure: spec.launchFailure,
    });
    return {
      key: spec.key,
      targetGroupArn,
      autoScalingGroupName,
      properties: { Key: spec.key, TargetGroupArn: targetGroupArn, AutoScalingGroupName: autoScalingGroupName },
    };
  }

  /**
   * Delete a generation the way CloudFormation does in cleanup: the group, then the target
   * group, which fails (ResourceInUse) while a listener rule still references it.
   */
  public deleteGeneration(generation: FakeGeneration): void {
    this.reconcile();
    this.autoScaling.deleteGroup(generation.autoScalingGroupName);
    this.elbv2.deleteTargetGroup(generation.targetGroupArn);
  }

  // ---- views ----

  /** The release state as stored, read without faults or call records. */
  public releaseState(parameterName: string): ReleaseState | undefined {
    const parameter = this.ssm.parameters.get(parameterName);
    if (!parameter) {
      return undefined;
    }
    // Invariants read the state several times per tick; parse each stored value once.
    if (this.parsedState?.value !== parameter.value) {
      this.parsedState = { value: parameter.value, state: JSON.parse(parameter.value) as ReleaseState };
    }
    return this.parsedState.state;
  }

  /** Calls to an operation ('ModifyRule' or 'elbv2:ModifyRule'), optionally since a time. */
  public callsTo(operation: string, since = Number.NEGATIVE_INFINITY): CallRecord[] {
    return this.calls.filter((c) => (c.operation === operation || c.operation.endsWith(`:${operation}`)) && c.at >= since);
  }

  // ---- plumbing ----

  private dispatch<T>(service: ServiceName, operation: string, input: unknown, apply: () => T): Promise<T> {
    const qualified = `${service}:${operation}`;
    this.reconcile();
    const now = this.clock.now();
    const fault: FaultKind | undefined = this.faults.decide(qualified, now);
    const record: CallRecord = { at: now, operation: qualified, input: structuredClone(input), outcome: 'ok', invocation: this.crash ? this.invocation : 0 };
    this.calls.push(record);
    switch (fault) {
      case 'throttle':
        record.outcome = fault;
        return Promise.reject(throttlingError(service));
      case 'server-error':
        record.outcome = fault;
        return Promise.reject(serverError(service, this.random.next() < 0.5 ? 500 : 503));
      case 'timeout':
        record.outcome = fault;
        return Promise.reject(timeoutError(qualified));
      case 'crash-before':
        record.outcome = fault;
        return this.die(qualified);
      default:
        break;
    }
    let result: T;
    try {
      result = apply();
    } catch (error) {
      record.outcome = error instanceof Error ? error.name : 'error';
      // The service answered with an error; a lost response or a crash loses that answer too.
      if (fault === 'lost-response' || fault === 'crash-after') {
        record.outcome = fault;
        return fault === 'crash-after' ? this.die(qualified) : Promise.reject(timeoutError(qualified));
      }
      return Promise.reject(error);
    }
    if (fault === 'lost-response') {
      record.outcome = fault;
      return Promise.reject(timeoutError(qualified));
    }
    if (fault === 'crash-after') {
      record.outcome = fault;
      return this.die(qualified);
    }
    return Promise.resolve(structuredClone(result));
  }

  private die(operation: string): Promise<never> {
    if (!this.crash) {
      return Promise.reject(new Error(`fake: a crash fault hit ${operation} outside runInvocation`));
    }
    this.crash(operation);
    // Never settles: the invocation is over, nothing after this call runs.
    return new Promise<never>(() => undefined);
  }

  /**
   * Wire one command. Commands the fake does not implement fail loudly, so a controller that
   * starts calling something new cannot pass against a silent `undefined`.
   */
  private wire<C extends CommandClass>(stub: WiredStub, command: C, service: ServiceName, operation: string, impl: (input: InstanceType<C>['input']) => unknown): void {
    stub.handlers.set(command, (input) => this.dispatch(service, operation, input, () => impl(input as InstanceType<C>['input'])));
  }

  /**
   * One aws-sdk-client-mock stub per client, whose send dispatches on the command's class
   * itself: a single behaviour instead of one `on(Command)` matcher per command, which sinon
   * would deep-compare against every call's arguments.
   */
  private stub(client: new (config: object) => unknown): WiredStub {
    const mock = mockClient(client as never) as unknown as MockedClient;
    const handlers = new Map<CommandClass, (input: unknown) => Promise<unknown>>();
    mock.send.callsFake((command) => {
      const handler = handlers.get((command as object).constructor as CommandClass);
      if (!handler) {
        return Promise.reject(new Error(`fake: ${client.name} has no fake for this command (${(command as object).constructor.name}, input ${JSON.stringify(command.input)})`));
      }
      return handler(command.input);
    });
    this.stubs.push(mock);
    return { handlers };
  }

  private wireElbv2(): void {
    const stub = this.stub(ElasticLoadBalancingV2Client);
    this.wire(stub, CreateRuleCommand, 'elbv2', 'CreateRule', (i) => this.elbv2.createRule(i));
    this.wire(stub, ModifyRuleCommand, 'elbv2', 'ModifyRule', (i) => this.elbv2.modifyRule(i));
    this.wire(stub, DeleteRuleCommand, 'elbv2', 'DeleteRule', (i) => this.elbv2.deleteRule(i));
    this.wire(stub, DescribeRulesCommand, 'elbv2', 'DescribeRules', (i) => this.elbv2.describeRules(i));
    this.wire(stub, SetRulePrioritiesCommand, 'elbv2', 'SetRulePriorities', (i) => this.elbv2.setRulePriorities(i));
    this.wire(stub, DescribeTargetHealthCommand, 'elbv2', 'DescribeTargetHealth', (i) => this.elbv2.describeTargetHealth(i));
  }

  private wireAutoScaling(): void {
    const stub = this.stub(AutoScalingClient);
    this.wire(stub, DescribeAutoScalingGroupsCommand, 'autoscaling', 'DescribeAutoScalingGroups', (i) => this.autoScaling.describeAutoScalingGroups(i));
    this.wire(stub, SetDesiredCapacityCommand, 'autoscaling', 'SetDesiredCapacity', (i) => this.autoScaling.setDesiredCapacity(i));
    this.wire(stub, UpdateAutoScalingGroupCommand, 'autoscaling', 'UpdateAutoScalingGroup', (i) => this.autoScaling.updateAutoScalingGroup(i));
    this.wire(stub, DescribeScalingActivitiesCommand, 'autoscaling', 'DescribeScalingActivities', (i) => this.autoScaling.describeScalingActivities(i));
  }

  private wireCloudWatch(): void {
    const stub = this.stub(CloudWatchClient);
    this.wire(stub, DescribeAlarmsCommand, 'cloudwatch', 'DescribeAlarms', (i) => this.cloudWatch.describeAlarms(i));
  }

  private wireSsm(): void {
    const stub = this.stub(SSMClient);
    this.wire(stub, GetParameterCommand, 'ssm', 'GetParameter', (i) => this.ssm.getParameter(i));
    this.wire(stub, PutParameterCommand, 'ssm', 'PutParameter', (i) => this.ssm.putParameter(i));
    this.wire(stub, DeleteParameterCommand, 'ssm', 'DeleteParameter', (i) => this.ssm.deleteParameter(i));
  }

  private wireEventBridge(): void {
    const stub = this.stub(EventBridgeClient);
    this.wire(stub, PutEventsCommand, 'events', 'PutEvents', (i) => this.eventBridge.putEvents(i));
  }
}

/** An SDK command class (its instances carry the call's input). */
type CommandClass = abstract new (...args: never[]) => { readonly input: unknown };

/** The part of aws-sdk-client-mock's stub the wiring uses: its sinon stub of send. */
interface MockedClient {
  readonly send: { callsFake(fn: (command: { readonly input: unknown }) => unknown): unknown; resetHistory(): void };
  restore(): void;
}

/** A client's command handlers, by command class. */
interface WiredStub {
  readonly handlers: Map<CommandClass, (input: unknown) => Promise<unknown>>;
}
