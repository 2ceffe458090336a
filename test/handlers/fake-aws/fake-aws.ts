import { AsyncLocalStorage } from 'node:async_hooks';
import { FakeAutoScaling, type InstanceBehaviour } from './autoscaling';
import { FakeServiceError, accessDenied, serverError, throttlingError, timeoutError } from './aws-errors';
import { FakeCloudWatch } from './cloudwatch';
import { FakeDynamoDb } from './dynamodb';
import { FakeElbv2, type HealthCheckSettings } from './elbv2';
import { FakeEventBridge } from './eventbridge';
import { FaultInjector, type FaultKind } from './faults';
import { FakeLambda } from './lambda';
import { SeededRandom } from './rng';
import { SimClock } from './sim-clock';
import { FakeHttpHandler, type WireAnswer, type WireCall } from './wire/http-handler';
import { installRateLimiterClock, simulatedRetryStrategy } from './wire/sim-retry';
import { VERIFY_HOOK_CLIENT_CONFIG, configureAwsClients } from '../../../src/handlers/release-controller/aws/clients';
import { setClock } from '../../../src/handlers/release-controller/clock';
import { setLogSink, type LogRecord } from '../../../src/handlers/release-controller/log';
import type { ReleaseState } from '../../../src/handlers/release-controller/state';
import { CONTROLLER_ENVIRONMENT, STATE_TABLE_KEY, type GenerationProperties } from '../../../src/release-contract/release-properties';

/** The controller's tag value the fake deploys the controller with (its environment). */
export const FAKE_CONTROLLER_TAG = 'c8f00dfeedc0ffee00c0ffee00c0ffee00c0ffee';

/** The name of the controller's state table in the fake account. */
export const FAKE_STATE_TABLE = 'WebStack-ReleaseControllerState-1A2B3C4D5E6F';

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
  /** The SDK call this attempt belongs to: the SDK's retries of one call share it. */
  readonly sdkCallId: string;
  /** The attempt's number within its SDK call, from 1. */
  readonly attempt: number;
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
  /** The zones of the group's subnets. Default us-east-1a and b, the load balancer's own. */
  readonly availabilityZones?: readonly string[];
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
 * A stateful fake of the AWS APIs the release controller calls, answering the real SDK v3
 * clients on the wire: each client's request handler is the fake's (see wire/http-handler),
 * so the SDK's own serialisation, signing, retry strategy, error parsing and timeouts run
 * for every call, and each retry attempt reaches the fake as a call of its own. One simulated clock drives everything: the controller
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
  public readonly dynamoDb: FakeDynamoDb;
  public readonly eventBridge: FakeEventBridge;
  /** Lambda's Invoke, for verify hooks. */
  public readonly lambda: FakeLambda;
  public readonly calls: CallRecord[] = [];
  /** Everything the code under test logged. */
  public readonly logs: LogRecord[] = [];
  private readonly schedule: ScheduledChange[] = [];
  private readonly operations = new Map<string, (input: Record<string, unknown>) => unknown>();
  private readonly retryRandom: SeededRandom;
  private invocationSequence = 0;
  /**
   * Where a call waits before the fake serves it (see interleave.ts): lets a driver decide,
   * call by call, which of several running invocations goes next.
   */
  public gate?: (invocation: number, operation: string) => Promise<void>;
  private restoreTimers?: () => void;
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
    this.dynamoDb = new FakeDynamoDb(now);
    this.dynamoDb.createTable(FAKE_STATE_TABLE, STATE_TABLE_KEY);
    this.eventBridge = new FakeEventBridge(now);
    this.lambda = new FakeLambda(this.clock);
    // The SDK's back-off jitter draws from its own sequence, so adding a retry leaves the
    // fault sequence of a seeded run unchanged.
    this.retryRandom = new SeededRandom((options.seed ?? 1) + 0x5eed);
    this.registerOperations();
  }

  /** Point the controller's SDK clients, clock and logs at this fake. */
  public install(): this {
    const handler = new FakeHttpHandler((call) => this.exchange(call));
    this.restoreTimers = installRateLimiterClock(this.clock);
    configureAwsClients((client) => ({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret-access-key' },
      requestHandler: handler,
      retryStrategy: simulatedRetryStrategy(this.clock, this.retryRandom, client === 'lambda' ? VERIFY_HOOK_CLIENT_CONFIG.maxAttempts : undefined),
    }));
    process.env[CONTROLLER_ENVIRONMENT.controllerTag] = FAKE_CONTROLLER_TAG;
    process.env[CONTROLLER_ENVIRONMENT.stateTable] = FAKE_STATE_TABLE;
    setClock(this.clock);
    setLogSink((record) => this.logs.push(record));
    return this;
  }

  /** Undo install(). */
  public restore(): void {
    configureAwsClients();
    delete process.env[CONTROLLER_ENVIRONMENT.controllerTag];
    delete process.env[CONTROLLER_ENVIRONMENT.stateTable];
    this.restoreTimers?.();
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
  public async runInvocation<T>(fn: (context: LambdaContext) => Promise<T>, options: RunOptions = {}): Promise<InvocationOutcome<T>> {
    const id = ++this.invocationSequence;
    options.onStart?.(id);
    const deadline = this.clock.now() + (options.timeoutSeconds ?? LAMBDA_TIMEOUT_SECONDS) * 1000;
    const context: LambdaContext = { getRemainingTimeInMillis: () => Math.max(0, deadline - this.clock.now()) };
    let crash: (operation: string) => void = () => undefined;
    const crashed = new Promise<InvocationOutcome<T>>((resolve) => {
      crash = (operation) => resolve({ kind: 'crashed', operation });
    });
    // Every call the invocation makes, however deep in the SDK's middleware, finds its
    // invocation through the async context: two invocations can run at once.
    const ran = INVOCATIONS.run({ fake: this, id, crash, deadline }, () => fn(context)).then(
      (value): InvocationOutcome<T> => ({ kind: 'returned', value }),
      (error: unknown): InvocationOutcome<T> => ({ kind: 'threw', error }),
    );
    return Promise.race([ran, crashed]);
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
      availabilityZones: spec.availabilityZones,
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

  /** The release state of a deployment as stored, read without faults or call records. */
  public releaseState(deployment: string): ReleaseState | undefined {
    const value = this.stateValue(deployment);
    if (value === undefined) {
      return undefined;
    }
    // Invariants read the state several times per tick; parse each stored value once.
    if (this.parsedState?.value !== value) {
      this.parsedState = { value, state: JSON.parse(value) as ReleaseState };
    }
    return this.parsedState.state;
  }

  /** The stored state's JSON, as the controller wrote it. */
  public stateValue(deployment: string): string | undefined {
    return this.stateTable().items.get(deployment)?.State?.S;
  }

  /** How many deployments have an item in the state table (a lease alone counts too). */
  public stateItems(): number {
    return this.stateTable().items.size;
  }

  /** Someone deletes every item of the state table by hand. */
  public clearState(): void {
    this.stateTable().items.clear();
  }

  /**
   * The SDK calls whose every attempt failed (the controller saw the error): the last attempt
   * of each such call. `calls` defaults to every call so far.
   */
  public failedSdkCalls(calls: readonly CallRecord[] = this.calls): CallRecord[] {
    const last = new Map<string, CallRecord>();
    for (const call of calls) {
      last.set(call.sdkCallId, call);
    }
    return [...last.values()].filter((call) => call.outcome !== 'ok');
  }

  /** Calls to an operation ('ModifyRule' or 'elbv2:ModifyRule'), optionally since a time. */
  public callsTo(operation: string, since = Number.NEGATIVE_INFINITY): CallRecord[] {
    return this.calls.filter((c) => (c.operation === operation || c.operation.endsWith(`:${operation}`)) && c.at >= since);
  }

  // ---- plumbing ----

  /** Serve one call that came over the wire: faults first, then the service itself. */
  private async exchange(call: WireCall): Promise<WireAnswer> {
    const operation = `${call.service}:${call.operation}`;
    const implementation = this.operations.get(operation);
    if (!implementation) {
      // Loud: a controller that starts calling something new cannot pass against a silent answer.
      throw new Error(`fake: ${operation} is not implemented (input ${JSON.stringify(call.input)})`);
    }
    const store = INVOCATIONS.getStore();
    const invocation = store?.fake === this ? store : undefined;
    await this.gate?.(invocation?.id ?? 0, operation);
    // Lambda stops an invocation at its timeout: nothing it would call after that happens.
    if (invocation && this.clock.now() >= invocation.deadline) {
      return this.die(`${operation} (after the function's timeout)`, invocation);
    }
    this.reconcile();
    const now = this.clock.now();
    const fault: FaultKind | undefined = this.faults.decide(operation, now);
    const record: CallRecord = { at: now, operation, input: structuredClone(call.input), outcome: 'ok', invocation: invocation?.id ?? 0, sdkCallId: call.sdkCallId, attempt: call.attempt };
    this.calls.push(record);
    switch (fault) {
      case 'throttle':
        record.outcome = fault;
        return { kind: 'error', error: throttlingError(call.service) };
      case 'server-error':
        record.outcome = fault;
        return { kind: 'error', error: serverError(call.service, this.random.next() < 0.5 ? 500 : 503) };
      case 'access-denied':
        record.outcome = fault;
        return { kind: 'error', error: accessDenied(call.service, call.operation) };
      case 'timeout':
        record.outcome = fault;
        this.clock.advance(REQUEST_TIMEOUT_MS);
        throw timeoutError(operation);
      case 'crash-before':
        record.outcome = fault;
        return this.die(operation, invocation);
      default:
        break;
    }
    let answer: WireAnswer;
    try {
      answer = { kind: 'ok', output: structuredClone(implementation(call.input)) };
    } catch (error) {
      if (!(error instanceof FakeServiceError)) {
        throw error;
      }
      record.outcome = error.code;
      answer = { kind: 'error', error };
    }
    // The service applied the call (or refused it); a lost response or a crash loses the answer.
    if (fault === 'lost-response') {
      record.outcome = fault;
      this.clock.advance(REQUEST_TIMEOUT_MS);
      throw timeoutError(operation);
    }
    if (fault === 'crash-after') {
      record.outcome = fault;
      return this.die(operation, invocation);
    }
    return answer;
  }

  private die(operation: string, invocation: InvocationContext | undefined): Promise<never> {
    if (!invocation) {
      return Promise.reject(new Error(`fake: a crash fault hit ${operation} outside runInvocation`));
    }
    invocation.crash(operation);
    // Never settles: the invocation is over, nothing after this call runs.
    return new Promise<never>(() => undefined);
  }

  private stateTable() {
    return this.dynamoDb.tables.get(FAKE_STATE_TABLE)!;
  }

  private registerOperations(): void {
    const elbv2 = this.elbv2;
    const autoScaling = this.autoScaling;
    const table: Record<string, (input: never) => unknown> = {
      'elbv2:CreateRule': (i) => elbv2.createRule(i),
      'elbv2:ModifyRule': (i) => elbv2.modifyRule(i),
      'elbv2:DeleteRule': (i) => elbv2.deleteRule(i),
      'elbv2:DescribeRules': (i) => elbv2.describeRules(i),
      'elbv2:DescribeTags': (i) => elbv2.describeTags(i),
      'elbv2:SetRulePriorities': (i) => elbv2.setRulePriorities(i),
      'elbv2:DescribeTargetHealth': (i) => elbv2.describeTargetHealth(i),
      'autoscaling:DescribeAutoScalingGroups': (i) => autoScaling.describeAutoScalingGroups(i),
      'autoscaling:SetDesiredCapacity': (i) => autoScaling.setDesiredCapacity(i),
      'autoscaling:UpdateAutoScalingGroup': (i) => autoScaling.updateAutoScalingGroup(i),
      'autoscaling:DescribeScalingActivities': (i) => autoScaling.describeScalingActivities(i),
      'cloudwatch:DescribeAlarms': (i) => this.cloudWatch.describeAlarms(i),
      'dynamodb:GetItem': (i) => this.dynamoDb.getItem(i),
      'dynamodb:UpdateItem': (i) => this.dynamoDb.updateItem(i),
      'dynamodb:DeleteItem': (i) => this.dynamoDb.deleteItem(i),
      'events:PutEvents': (i) => this.eventBridge.putEvents(i),
      'lambda:Invoke': (i) => this.lambda.invoke(i),
    };
    for (const [operation, implementation] of Object.entries(table)) {
      this.operations.set(operation, implementation as (input: Record<string, unknown>) => unknown);
    }
  }
}

/** The invocation a call belongs to. */
/**
 * One async context for every fake in the process. Node keeps each AsyncLocalStorage that ever
 * ran in a list that every new promise walks, so one per fake made a long test file quadratic
 * (a third of its time went to that walk after a few hundred worlds).
 */
const INVOCATIONS = new AsyncLocalStorage<InvocationContext>();

interface InvocationContext {
  /** The fake the invocation runs against. */
  readonly fake: FakeAws;
  readonly id: number;
  /** Ends the invocation where it is (a crash fault). */
  readonly crash: (operation: string) => void;
  /** Simulated time at which Lambda stops it. */
  readonly deadline: number;
}

/** The part of the Lambda context the controller reads. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export interface RunOptions {
  /** The function's timeout. Default: the release controller's isComplete timeout, 120 s. */
  readonly timeoutSeconds?: number;
  /** Told the invocation's id before it starts. */
  readonly onStart?: (invocation: number) => void;
}

/**
 * How long a request that gets no answer holds its caller: the controller's clients give up
 * after requestTimeout (src/handlers/release-controller/aws.ts).
 */
const REQUEST_TIMEOUT_MS = 10_000;

/** The isComplete function's timeout (src/deployment/release-controller.ts). */
const LAMBDA_TIMEOUT_SECONDS = 120;
