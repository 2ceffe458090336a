import { driveRelease, type DriveOptions, type DriveResult } from './drive-release';
import { FakeAws, type FakeAwsOptions, type FakeGeneration, type GenerationSpec } from './fake-aws';
import type { HookScript } from './lambda';
import type { InsufficientDataPolicyValue, ReleaseProperties, ReleaseStrategy } from '../../../src/release-contract/release-properties';

/** Release settings, in numbers; the world turns them into CloudFormation's strings. */
export interface ReleaseSettings {
  readonly strategy?: ReleaseStrategy;
  readonly stepPercent?: number;
  readonly stepIntervalSeconds?: number;
  readonly bakeSeconds?: number;
  readonly drainSeconds?: number;
  readonly healthTimeoutSeconds?: number;
  readonly deadlineSeconds?: number;
  readonly stickinessSeconds?: number;
  readonly minCapacity?: number;
  readonly maxCapacity?: number;
  readonly desiredCapacity?: number;
  readonly alarmNames?: string[];
  readonly insufficientDataPolicy?: InsufficientDataPolicyValue;
  readonly priority?: number;
  readonly conditions?: unknown[];
  /** Pre-traffic verification: a test listener (see ReleaseWorld.addTestListener), a verify hook (addVerifyHook). */
  readonly testListenerArn?: string;
  readonly testEndpoint?: string;
  readonly verifyFunctionArn?: string;
  readonly verifyTimeoutSeconds?: number;
}

/** Drive options the world fills in itself. */
export type WorldDriveOptions = Omit<DriveOptions, 'fake' | 'requestType' | 'properties' | 'oldProperties' | 'physicalResourceId'>;

/**
 * One deployment in a fake AWS account: an ALB listener, the generations CloudFormation
 * creates for it, and the release resource's life (Create, Updates, Delete) driven through
 * the provider framework. Keeps the physical id and the last properties the way
 * CloudFormation does, so each Update carries the right OldResourceProperties.
 */
export class ReleaseWorld {
  public readonly fake: FakeAws;
  public readonly listenerArn: string;
  public readonly deploymentName = 'Web';
  /** The deployment's key in the controller's state table (its DeploymentName). */
  public readonly stateKey = 'Web';
  public physicalResourceId?: string;
  /** Settings every release uses unless a call overrides them. */
  public defaults: ReleaseSettings = {};
  /** Properties of every request that succeeded, oldest first (what CloudFormation holds). */
  private readonly succeeded: ReleaseProperties[] = [];
  /** Properties of the last request, if it failed. */
  private failed?: ReleaseProperties;

  public constructor(options: FakeAwsOptions = {}) {
    this.fake = new FakeAws(options).install();
    this.listenerArn = this.fake.elbv2.createListener('web');
  }

  /** The properties CloudFormation holds for the resource now. */
  public get lastProperties(): ReleaseProperties | undefined {
    return this.succeeded[this.succeeded.length - 1];
  }

  public dispose(): void {
    this.fake.restore();
  }

  /** CloudFormation creates a generation (before it updates the release resource). */
  public generation(key: string, spec: Omit<GenerationSpec, 'key'> = {}): FakeGeneration {
    return this.fake.createGeneration({ key, minSize: 1, maxSize: 6, ...spec });
  }

  /** The properties the construct would pass for `generation`. */
  public properties(generation: FakeGeneration, settings: ReleaseSettings = {}): ReleaseProperties {
    const s = { ...this.defaults, ...settings };
    const properties: Record<string, unknown> = {
      DeploymentName: this.deploymentName,
      ListenerArn: this.listenerArn,
      Priority: String(s.priority ?? 100),
      Conditions: JSON.stringify(s.conditions ?? [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }]),
      Generation: generation.properties,
      MinCapacity: String(s.minCapacity ?? 1),
      MaxCapacity: String(s.maxCapacity ?? 6),
      Strategy: s.strategy ?? 'ALL_AT_ONCE',
      StepPercent: String(s.stepPercent ?? 100),
      StepIntervalSeconds: String(s.stepIntervalSeconds ?? 60),
      BakeSeconds: String(s.bakeSeconds ?? 60),
      DrainSeconds: String(s.drainSeconds ?? 30),
      HealthTimeoutSeconds: String(s.healthTimeoutSeconds ?? 600),
      AlarmNames: s.alarmNames ?? [],
      InsufficientDataPolicy: s.insufficientDataPolicy ?? 'OK',
      DeadlineSeconds: String(s.deadlineSeconds ?? 3300),
      StickinessSeconds: String(s.stickinessSeconds ?? 0),
    };
    if (s.desiredCapacity !== undefined) {
      properties.DesiredCapacity = String(s.desiredCapacity);
    }
    const optional = {
      TestListenerArn: s.testListenerArn,
      TestEndpoint: s.testEndpoint,
      VerifyFunctionArn: s.verifyFunctionArn,
      VerifyTimeoutSeconds: s.verifyTimeoutSeconds,
    };
    for (const [name, value] of Object.entries(optional)) {
      if (value !== undefined) {
        properties[name] = String(value);
      }
    }
    return properties as unknown as ReleaseProperties;
  }

  /** Create the release resource (the stack's first deploy). */
  public async create(generation: FakeGeneration, settings: ReleaseSettings = {}, drive: WorldDriveOptions = {}): Promise<DriveResult> {
    const properties = this.properties(generation, settings);
    const result = await driveRelease({ ...drive, fake: this.fake, requestType: 'Create', properties });
    this.physicalResourceId = result.physicalResourceId;
    this.remember(result, properties);
    return result;
  }

  /** Update the release resource to `generation`. */
  public async update(generation: FakeGeneration, settings: ReleaseSettings = {}, drive: WorldDriveOptions = {}): Promise<DriveResult> {
    return this.updateWith(this.properties(generation, settings), this.lastProperties, drive);
  }

  /** Update with exact properties, as CloudFormation sends them. */
  public async updateWith(properties: ReleaseProperties, oldProperties = this.lastProperties, drive: WorldDriveOptions = {}): Promise<DriveResult> {
    const result = await driveRelease({
      ...drive,
      fake: this.fake,
      requestType: 'Update',
      properties,
      oldProperties,
      physicalResourceId: this.requirePhysicalId(),
    });
    this.remember(result, properties);
    return result;
  }

  /**
   * CloudFormation's rollback update. After a failed release it sends the last good
   * properties back (old: the failed ones). After a release that succeeded but whose stack
   * update failed elsewhere, it sends the properties from before that release.
   */
  public async cloudFormationRollback(drive: WorldDriveOptions = {}): Promise<DriveResult> {
    if (this.failed) {
      const failed = this.failed;
      this.failed = undefined;
      return this.updateWith(this.requireLast(), failed, drive);
    }
    if (this.succeeded.length < 2) {
      throw new Error('nothing to roll back to');
    }
    const undone = this.succeeded.pop()!;
    const result = await driveRelease({
      ...drive,
      fake: this.fake,
      requestType: 'Update',
      properties: this.requireLast(),
      oldProperties: undone,
      physicalResourceId: this.requirePhysicalId(),
    });
    if (result.status !== 'SUCCESS') {
      this.succeeded.push(undone);
    }
    return result;
  }

  /** Delete the release resource. */
  public async delete(drive: WorldDriveOptions = {}): Promise<DriveResult> {
    // After a failed Create, CloudFormation deletes the resource with the Create's properties.
    const properties = this.lastProperties ?? this.failed;
    if (!properties) {
      throw new Error('nothing to delete: no release resource was created');
    }
    return driveRelease({
      ...drive,
      fake: this.fake,
      requestType: 'Delete',
      properties,
      physicalResourceId: this.requirePhysicalId(),
    });
  }

  /**
   * A test listener on the deployment's load balancer (what `testListener` makes), used by
   * every release from now on; returns its ARN.
   */
  public addTestListener(): string {
    const arn = this.fake.elbv2.createListener('web', { sameLoadBalancerAs: this.listenerArn });
    this.defaults = { ...this.defaults, testListenerArn: arn, testEndpoint: 'http://web-test.example:8443' };
    return arn;
  }

  /** A verify hook running `script`, used by every release from now on; returns its ARN. */
  public addVerifyHook(script: HookScript, timeoutSeconds?: number): string {
    const arn = this.fake.lambda.createFunction('WebStack-VerifyHook', script);
    this.defaults = { ...this.defaults, verifyFunctionArn: arn, ...(timeoutSeconds !== undefined ? { verifyTimeoutSeconds: timeoutSeconds } : {}) };
    return arn;
  }

  /** The controller's rule on the test listener, as the load balancer holds it. */
  public testRule() {
    const state = this.fake.releaseState(this.stateKey);
    return state?.testRuleArn ? this.fake.elbv2.rule(state.testRuleArn) : undefined;
  }

  /** The controller's rule, as the load balancer holds it. */
  public rule() {
    const state = this.fake.releaseState(this.stateKey);
    return state?.ruleArn ? this.fake.elbv2.rule(state.ruleArn) : undefined;
  }

  public state() {
    return this.fake.releaseState(this.stateKey);
  }

  private remember(result: DriveResult, properties: ReleaseProperties): void {
    if (result.status === 'SUCCESS') {
      this.succeeded.push(properties);
      this.failed = undefined;
    } else {
      this.failed = properties;
    }
  }

  private requireLast(): ReleaseProperties {
    const last = this.lastProperties;
    if (!last) {
      throw new Error('no properties: create the release resource first');
    }
    return last;
  }

  private requirePhysicalId(): string {
    if (!this.physicalResourceId) {
      throw new Error('no physical id: create the release resource first');
    }
    return this.physicalResourceId;
  }
}
