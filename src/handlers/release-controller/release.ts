import { rollbackAlarmObjections } from './aws/alarms';
import { describeGenerationGroup, describeGroup, latestLaunchFailure, raiseDesired, releaseSize } from './aws/auto-scaling';
import {
  createRule,
  deleteRule,
  describeRule,
  findRuleAtPriority,
  modifyRule,
  priorityTaken,
  ruleTags,
  setRulePriority,
  type ObservedRule,
  type RuleOwner,
} from './aws/listener-rule';
import type { StateLease } from './aws/state-store';
import { publishStep } from './aws/step-events';
import { describeHealth, targetHealth } from './aws/target-health';
import { invokeVerifyHook } from './aws/verify-hook';
import { now } from './clock';
import { sameConditions, warmUpConditions } from './conditions';
import { controllerEnvironment } from './environment';
import { LeaseLost, ReleaseFailure, StateStoreRefused, describeError, isTransient } from './errors';
import { log } from './log';
import { STEP_NAMES, afterWrite, releaseAttributes, settlePending, stepDetail } from './outcome';
import type { GenerationRef, ReleaseConfig, VerificationConfig } from './properties';
import type { IsCompleteResponse, ReleaseRequest } from './request';
import { retryTransient } from './retry';
import { boundReason, serializeState, type PendingWrite, type ReleaseState } from './state';
import {
  describeSplit,
  forwardOnly,
  forwardsOnlyTo,
  referencedTargetGroups,
  sameSplit,
  weightedSplit,
  type TrafficSplit,
} from './traffic';
import type { ReleaseStepDetail } from '../../release-contract/events';
import { CONTROLLER_TAG_KEY } from '../../release-contract/release-properties';
import { trafficSteps } from '../../release-contract/traffic-steps';

type Progress = 'continue' | 'wait';

// A poll walks through as many phases as are ready; this only bounds a bug.
const MAX_PHASES_PER_POLL = 20;

/**
 * One poll of one release request, under the deployment's lease (see aws/state-store.ts). Every
 * phase re-reads what it depends on (the rule, target health, the Auto Scaling group) before
 * it acts, so a poll can be repeated, or follow a poll that died half-way, without acting
 * twice.
 *
 * Writes per poll: the state is saved once, at the end, in the same write that gives the lease
 * up (finish); before a rule write it is saved first with the write marked pending, so a poll
 * that dies between the two leaves a state that says what it was doing. Step events are
 * published after the final save, so a poll that dies before it publishes none.
 */
export class Release {
  private state: ReleaseState;
  private verifiedRule?: ObservedRule;
  private guarded = false;
  /** The state changed since it was last saved. */
  private dirty = false;
  private readonly events: ReleaseStepDetail[] = [];

  public constructor(
    private readonly request: ReleaseRequest,
    private readonly config: ReleaseConfig,
    state: ReleaseState,
    private readonly lease: StateLease,
  ) {
    this.state = state;
  }

  /**
   * A newly claimed request. The claim is saved by the poll's first state write: that write,
   * and the lease any rule or capacity write takes first, are conditional on the state being
   * as this poll read it, so nothing is done for this request unless its claim holds.
   */
  public begin(): void {
    this.dirty = true;
    log.info('release request claimed', { mode: this.state.mode, liveGeneration: this.state.live?.key, candidateGeneration: this.state.candidate?.key });
    this.emit('STARTED');
  }

  /**
   * End the poll: save what changed and give the lease up (one write), then publish the
   * poll's step events.
   */
  public async finish(): Promise<void> {
    await this.lease.finish(this.dirty ? serializeState(this.state) : undefined);
    this.dirty = false;
    for (const detail of this.events.splice(0)) {
      await publishStep(detail);
    }
  }

  /** Advance as far as the world allows; throws a ReleaseFailure once the release has failed. */
  public async poll(): Promise<IsCompleteResponse> {
    for (let i = 0; i < MAX_PHASES_PER_POLL; i++) {
      const phase = this.state.phase;
      if (phase === 'COMMITTED') {
        return { IsComplete: true, Data: releaseAttributes(this.state) };
      }
      if (phase === 'FAILED') {
        throw new ReleaseFailure(this.state.reason ?? 'the release failed');
      }
      if (phase === 'RESTORING') {
        return this.restore();
      }
      let progress: Progress;
      try {
        this.checkDeadline();
        progress = await this.advance();
      } catch (error) {
        if (isTransient(error)) {
          throw error;
        }
        if (error instanceof StateStoreRefused) {
          return this.stopUnfenced(error);
        }
        return this.fail(error instanceof ReleaseFailure ? error.message : `unexpected error in phase ${phase}: ${describeError(error)}`);
      }
      if (progress === 'wait') {
        return { IsComplete: false };
      }
    }
    return { IsComplete: false };
  }

  private async advance(): Promise<Progress> {
    if (this.state.pending && await this.settlePending()) {
      return 'continue';
    }
    switch (this.state.phase) {
      case 'SIZING': return this.size();
      case 'ATTACHING': return this.attach();
      case 'WAITING_HEALTHY': return this.awaitHealthy();
      case 'VERIFYING': return this.verifyCandidate();
      case 'SHIFTING': return this.shift();
      case 'BAKING': return this.bake();
      case 'DRAINING': return this.drain();
      case 'COMMITTING': return this.state.mode === 'CONVERGE' ? this.converge() : this.commit();
      default: throw new Error(`phase ${this.state.phase} cannot advance`);
    }
  }

  private checkDeadline(): void {
    const s = this.state;
    if (s.mode !== 'CONVERGE' && now() >= s.startedAt + this.config.deadlineSeconds * 1000) {
      throw new ReleaseFailure(`the release did not finish within its deadline of ${this.config.deadlineSeconds} s (it was in phase ${s.phase})`);
    }
  }

  /** Size the candidate like the live generation (or as configured for the first). */
  private async size(): Promise<Progress> {
    const candidate = this.candidate();
    const group = await describeGenerationGroup(candidate);
    const live = this.state.mode !== 'FIRST' && this.state.live ? await describeGroup(this.state.live.autoScalingGroupName) : undefined;
    const desired = releaseSize(this.config, group, live);
    const raised = await this.fenced(() => raiseDesired(group, desired));
    await this.transition({ phase: 'ATTACHING', desired }, 'SIZED', `generation ${candidate.key} runs ${desired} instance(s)${raised ? ` (raised from ${group.desired})` : ''}`);
    return 'continue';
  }

  /**
   * Put the candidate's target group into the rule at weight 0 so the load balancer starts
   * health-checking it (it never checks an unreferenced group). The first generation gets a
   * rule whose conditions match no request until it is activated.
   */
  private async attach(): Promise<Progress> {
    const candidate = this.candidate();
    const at = now();
    if (this.state.mode === 'FIRST') {
      const split = forwardOnly(candidate.targetGroupArn);
      let rule = await this.findOwnRule();
      if (rule && !forwardsOnlyTo(rule.split, candidate.targetGroupArn)) {
        throw priorityTaken(this.config.listenerArn, this.config.priority, rule);
      }
      rule ??= await this.createRule(warmUpConditions(this.request.RequestId), split);
      await this.transition({ ...afterWrite(this.state, { kind: 'attach', split, at }, this.config), ruleArn: rule.arn }, 'ATTACHED', `rule ${rule.arn} references ${describeSplit(split)} with conditions no request matches`);
      return 'continue';
    }
    const split = weightedSplit(this.live().targetGroupArn, candidate.targetGroupArn, 0, this.config.stickinessSeconds);
    const rule = await this.findOwnRule();
    if (!rule) {
      const created = await this.createRule(this.config.conditions, split);
      await this.transition({ ...afterWrite(this.state, { kind: 'attach', split, at }, this.config), ruleArn: created.arn }, 'ATTACHED', `rule ${created.arn} was missing and is created again`);
      return 'continue';
    }
    if (!sameSplit(rule.split, this.state.written)) {
      log.warn('listener rule differs from what the controller last wrote; the new release resets it', { ruleArn: rule.arn, found: describeSplit(rule.split), written: describeSplit(this.state.written) });
    }
    if (rule.priority !== this.config.priority) {
      const ruleArn = rule.arn;
      await this.fenced(() => setRulePriority(ruleArn, this.config.priority));
    }
    await this.write(rule, this.config.conditions, { kind: 'attach', split, at });
    return 'continue';
  }

  /** Wait for the candidate's targets; fail fast on failed launches, or at the health deadline. */
  private async awaitHealthy(): Promise<Progress> {
    await this.verifyRule();
    const candidate = this.candidate();
    const desired = this.state.desired ?? 1;
    const health = await targetHealth(candidate.targetGroupArn);
    if (health.healthy >= desired) {
      await this.transition(this.afterHealthy(), 'HEALTHY', describeHealth(health));
      return 'continue';
    }
    // A REVERT's group has history of its own; only launches since this request count there.
    const launchFailure = await latestLaunchFailure(candidate.autoScalingGroupName, this.state.mode === 'REVERT' ? this.state.startedAt : undefined);
    if (launchFailure) {
      throw new ReleaseFailure(`instances of generation ${candidate.key} fail to launch (Auto Scaling group ${candidate.autoScalingGroupName}): ${launchFailure}`);
    }
    if (now() >= (this.state.healthDeadline ?? Number.POSITIVE_INFINITY)) {
      throw new ReleaseFailure(`generation ${candidate.key} did not become healthy within ${this.config.healthTimeoutSeconds} s: ${describeHealth(health)}; ${desired} needed`);
    }
    log.info('waiting for healthy targets', { generation: candidate.key, healthy: health.healthy, needed: desired, problems: health.problems });
    return 'wait';
  }

  /**
   * A new generation (a release, or the first) is verified before any traffic when the
   * deployment asks for it; a REVERT puts back a generation that served before, at once.
   */
  private afterHealthy(): Partial<ReleaseState> {
    const mode = this.state.mode;
    const verification = this.config.verification;
    if (verification && (mode === 'RELEASE' || mode === 'FIRST')) {
      return { phase: 'VERIFYING', verifyDeadline: now() + verification.timeoutSeconds * 1000, verifyAttempts: 0 };
    }
    return { phase: mode === 'RELEASE' ? 'SHIFTING' : 'COMMITTING' };
  }

  /**
   * The candidate alone, before any production traffic: the test listener's rule forwards to
   * it, and the verify hook (if any) must answer PASS before the verify timeout. The
   * production rule is checked untouched on every poll, as in every other phase.
   */
  private async verifyCandidate(): Promise<Progress> {
    await this.verifyRule();
    const verification = this.config.verification!;
    const candidate = this.candidate();
    await this.pointTestRule(candidate);
    if (verification.functionArn && await this.askHook(verification, verification.functionArn, candidate) === 'wait') {
      return 'wait';
    }
    const attempts = this.state.verifyAttempts ?? 0;
    await this.transition({ phase: this.state.mode === 'FIRST' ? 'COMMITTING' : 'SHIFTING', verifiedAt: now() }, 'VERIFIED',
      verification.functionArn ? `the verify hook passed generation ${candidate.key} (${attempts} invocation(s)): ${this.state.verifyLast ?? ''}` : `the test listener forwards to generation ${candidate.key}`);
    return 'continue';
  }

  /** Invoke the verify hook once per poll; throws a ReleaseFailure on FAIL or past the verify timeout. */
  private async askHook(verification: VerificationConfig, functionArn: string, candidate: GenerationRef): Promise<'passed' | 'wait'> {
    const at = now();
    const deadline = this.state.verifyDeadline ?? at;
    const attempts = this.state.verifyAttempts ?? 0;
    if (at >= deadline) {
      throw new ReleaseFailure(`the verify hook ${functionArn} did not pass generation ${candidate.key} within verifyTimeout (${verification.timeoutSeconds} s, `
        + `${attempts} invocation(s); last answer: ${this.state.verifyLast ?? 'none'})`);
    }
    // A poll repeated at the same moment (the framework re-invoking) asks nothing again.
    if (this.state.verifyAt !== undefined && at < this.state.verifyAt + 1) {
      return 'wait';
    }
    const attempt = attempts + 1;
    const answer = await invokeVerifyHook(functionArn, {
      deploymentName: this.config.deploymentName,
      deploymentId: this.state.deploymentId,
      generation: candidate.key,
      targetGroupArn: candidate.targetGroupArn,
      ...(verification.testEndpoint ? { testEndpoint: verification.testEndpoint } : {}),
      attempt,
      secondsLeft: Math.floor((deadline - at) / 1000),
    });
    this.state = { ...this.state, verifyAttempts: attempt, verifyAt: now(), verifyLast: `${answer.verdict}: ${answer.reason}` };
    this.dirty = true;
    log.info('verify hook answered', { generation: candidate.key, attempt, verdict: answer.verdict, reason: answer.reason });
    if (answer.verdict === 'FAIL') {
      throw new ReleaseFailure(`the verify hook ${functionArn} failed generation ${candidate.key} (invocation ${attempt}): ${answer.reason}`);
    }
    return answer.verdict === 'PASS' ? 'passed' : 'wait';
  }

  /** Move traffic one step when the interval has passed; check alarms and health on every poll. */
  private async shift(): Promise<Progress> {
    const rule = await this.verifyRule();
    await this.guard();
    const steps = trafficSteps(this.config.strategy, this.config.stepPercent);
    const next = this.state.step + 1;
    // One step per poll at most, even with no interval: a poll repeated at the same moment
    // (the framework re-invoking) must find nothing to do.
    if (this.state.step >= 0 && now() < (this.state.stepAt ?? 0) + Math.max(this.config.stepIntervalSeconds * 1000, 1)) {
      return 'wait';
    }
    await this.followLiveGrowth();
    const percent = steps[Math.min(next, steps.length - 1)];
    const split = weightedSplit(this.live().targetGroupArn, this.candidate().targetGroupArn, percent, this.config.stickinessSeconds);
    await this.write(rule, this.config.conditions, { kind: 'step', split, step: next, at: now() });
    return this.state.phase === 'SHIFTING' ? 'wait' : 'continue';
  }

  /**
   * Before each traffic step: if the live generation scaled out since sizing (its policy
   * reacting to load), raise the candidate to match. The candidate gets its own scaling
   * policies only once the release is done, so it could not catch up on its own while it
   * takes over that load and bakes.
   */
  private async followLiveGrowth(): Promise<void> {
    const live = await describeGroup(this.live().autoScalingGroupName);
    if (!live || live.desired <= (this.state.desired ?? 0)) {
      return;
    }
    const candidate = this.candidate();
    const group = await describeGenerationGroup(candidate);
    const desired = releaseSize(this.config, group, live);
    if (desired <= (this.state.desired ?? 0)) {
      return;
    }
    const raised = await this.fenced(() => raiseDesired(group, desired));
    await this.transition({ desired }, 'SIZED', `generation ${candidate.key} runs ${desired} instance(s)${raised ? ` (raised from ${group.desired})` : ''}: generation ${this.live().key} scaled out to ${live.desired}`);
  }

  /** Hold at 100 % under alarms for BakeSeconds. */
  private async bake(): Promise<Progress> {
    await this.verifyRule();
    await this.guard();
    if (now() < (this.state.fullAt ?? 0) + this.config.bakeSeconds * 1000) {
      return 'wait';
    }
    await this.transition({ phase: 'DRAINING' }, 'BAKED', `generation ${this.candidate().key} held 100 % for ${this.config.bakeSeconds} s`);
    return 'continue';
  }

  /** The old target group has had weight 0 since the last step; wait until that lasted DrainSeconds. */
  private async drain(): Promise<Progress> {
    await this.verifyRule();
    await this.guard();
    if (now() < (this.state.fullAt ?? 0) + this.config.drainSeconds * 1000) {
      return 'wait';
    }
    await this.transition({ phase: 'COMMITTING' }, 'DRAINED', `generation ${this.live().key} drained for ${this.config.drainSeconds} s`);
    return 'continue';
  }

  /** Forward to the candidate only (the old target group leaves the rule, so CloudFormation can delete it). */
  private async commit(): Promise<Progress> {
    const rule = await this.verifyRule();
    if (this.state.mode === 'RELEASE') {
      // Usually done by the drain in this same poll; not when an earlier poll's commit was cut
      // short, and the candidate may have lost its targets since.
      await this.guard();
    }
    await this.pointTestRule(this.candidate());
    await this.write(rule, this.config.conditions, { kind: 'commit', split: forwardOnly(this.candidate().targetGroupArn), at: now() });
    return 'continue';
  }

  /**
   * The requested generation is already live: make the rule forward to it alone, with the
   * requested conditions and priority. This is CloudFormation's rollback after a failed
   * release, and an update that changed nothing the controller acts on.
   */
  private async converge(): Promise<Progress> {
    const live = this.live();
    const split = forwardOnly(live.targetGroupArn);
    let rule = await this.findOwnRule();
    if (!rule) {
      rule = await this.createRule(this.config.conditions, split);
    } else if (!sameSplit(rule.split, this.state.written)) {
      log.warn('listener rule differs from what the controller last wrote; converging it', { ruleArn: rule.arn, found: describeSplit(rule.split) });
    }
    if (rule.priority !== this.config.priority) {
      const ruleArn = rule.arn;
      await this.fenced(() => setRulePriority(ruleArn, this.config.priority));
    }
    await this.pointTestRule(live);
    await this.write(rule, this.config.conditions, { kind: 'commit', split, at: now() });
    return 'continue';
  }

  /** Restore the live generation after a failure, then fail. */
  private async fail(reason: string): Promise<never> {
    log.error('release failed; restoring the live generation', { reason, phase: this.state.phase });
    // Saved before the rule is touched: a poll that dies now leaves RESTORING, and the next one restores.
    this.state = { ...this.state, phase: 'RESTORING', phaseAt: now(), reason: boundReason(reason), pending: undefined };
    await this.saveQuietly();
    return this.restore();
  }

  private async restore(): Promise<never> {
    const reason = this.state.reason ?? 'the release failed';
    const back = this.state.mode === 'FIRST' ? undefined : this.state.live;
    if (!back) {
      this.state = { ...this.state, phase: 'FAILED', phaseAt: now(), outcome: 'ROLLED_BACK' };
    } else {
      const split = forwardOnly(back.targetGroupArn);
      try {
        await retryTransient('restore traffic', () => this.putBack(back, split));
      } catch (error) {
        if (isTransient(error)) {
          throw error;
        }
        const message = boundReason(`${reason}; restoring generation ${back.key} failed too: ${describeError(error)}; ${await this.trafficNow()}`);
        this.state = { ...this.state, phase: 'FAILED', phaseAt: now(), reason: message };
        this.dirty = true;
        throw new ReleaseFailure(message);
      }
      const testRule = await this.restoreTestRule(back);
      this.state = { ...afterWrite(this.state, { kind: 'restore', split, at: now() }, this.config), reason: boundReason(`${reason}; all traffic is back on generation ${back.key}${testRule}`) };
    }
    // Saved by finish(); if that save is lost, the next poll finds RESTORING and the rule already restored.
    this.dirty = true;
    this.emit('ROLLED_BACK', this.state.reason);
    throw new ReleaseFailure(this.state.reason ?? reason);
  }

  /**
   * The state table refused a write: no poll can take the lease, and a rule write without it
   * could be a superseded request's (see aws/state-store.ts), so the release stops with traffic
   * where it is, restoring nothing, and the reason says where that is and what undoes it.
   */
  private async stopUnfenced(refusal: StateStoreRefused): Promise<never> {
    const message = boundReason(`${refusal.message}; without its lease the controller writes no listener rule, so it restored nothing and ${await this.trafficNow()}; `
      + 'once its role can write the table again, CloudFormation\'s rollback (continued, if it stopped) restores the traffic');
    log.error('release stopped: the state table refuses writes', { phase: this.state.phase, error: refusal.message });
    this.state = { ...this.state, phase: 'FAILED', phaseAt: now(), reason: message, pending: undefined };
    this.dirty = true;
    throw new ReleaseFailure(message);
  }

  /** Where the deployment's traffic is, read now: for a failure that could not restore it. */
  private async trafficNow(): Promise<string> {
    try {
      const rule = await this.findOwnRule();
      return rule ? `the listener rule forwards ${describeSplit(rule.split)}` : 'the deployment has no listener rule';
    } catch (error) {
      return `the listener rule could not be read (${describeError(error)})`;
    }
  }

  /**
   * After production traffic is back: the test listener's rule too, best effort (the rule that
   * matters is restored; CloudFormation's rollback request converges the test rule again).
   * Returns a note for the reason when it could not be restored.
   */
  private async restoreTestRule(back: GenerationRef): Promise<string> {
    try {
      await retryTransient('restore the test listener rule', () => this.pointTestRule(back));
      return '';
    } catch (error) {
      if (error instanceof LeaseLost) {
        throw error;
      }
      log.warn('could not point the test listener rule back at the live generation', { generation: back.key, error: describeError(error) });
      return `; the test listener rule could not be pointed back at it (${describeError(error)})`;
    }
  }

  /**
   * Make the test listener's rule forward only to `target`, with the deployment's conditions,
   * creating it when it is missing. A deployment that no longer has a test listener loses the
   * rule (it would keep an old target group from being deleted).
   */
  private async pointTestRule(target: GenerationRef): Promise<void> {
    const listenerArn = this.config.verification?.testListenerArn;
    if (!listenerArn) {
      if (this.state.testRuleArn) {
        const ruleArn = this.state.testRuleArn;
        await this.fenced(() => deleteRule(ruleArn));
        this.state = { ...this.state, testRuleArn: undefined };
        this.dirty = true;
      }
      return;
    }
    const split = forwardOnly(target.targetGroupArn);
    try {
      let rule = await this.findRuleOn(listenerArn, this.state.testRuleArn, true, true);
      if (!rule) {
        rule = await this.fenced(() => createRule(listenerArn, this.config.priority, this.config.conditions, split, this.ruleOwner()));
        log.info('test listener rule created', { ruleArn: rule.arn, generation: target.key });
      } else if (!forwardsOnlyTo(rule.split, target.targetGroupArn) || !sameConditions(rule.conditions, this.config.conditions)) {
        const ruleArn = rule.arn;
        await this.fenced(() => modifyRule(ruleArn, this.config.conditions, split));
        log.info('test listener rule points at a new generation', { ruleArn, generation: target.key });
      }
      if (this.state.testRuleArn !== rule.arn) {
        this.state = { ...this.state, testRuleArn: rule.arn };
        this.dirty = true;
      }
    } catch (error) {
      if (isTransient(error) || error instanceof ReleaseFailure) {
        throw error;
      }
      throw new ReleaseFailure(`cannot point the test listener rule on ${listenerArn} at generation ${target.key}: ${describeError(error)}`);
    }
  }

  /** Make the rule forward only to `back`, whatever it does now (the rule may even be gone). */
  private async putBack(back: GenerationRef, split: TrafficSplit): Promise<void> {
    const rule = await this.findOwnRule();
    if (!rule) {
      const created = await this.createRule(this.config.conditions, split);
      this.state = { ...this.state, ruleArn: created.arn };
      return;
    }
    if (!forwardsOnlyTo(rule.split, back.targetGroupArn)) {
      await this.fenced(() => modifyRule(rule.arn, this.config.conditions, split));
    }
    this.state = { ...this.state, ruleArn: rule.arn };
  }

  /** Alarms quiet and the candidate still has healthy targets; checked on every shifting poll. */
  private async guard(): Promise<void> {
    if (this.guarded) {
      return;
    }
    const objections = await this.readAlarms();
    if (objections.length > 0) {
      throw new ReleaseFailure(objections.join('; '));
    }
    const candidate = this.candidate();
    const health = await targetHealth(candidate.targetGroupArn);
    if (health.healthy === 0) {
      throw new ReleaseFailure(`generation ${candidate.key} has no healthy targets left: ${describeHealth(health)}`);
    }
    this.guarded = true;
  }

  /** The rollback alarms' objections (see rollbackAlarmObjections); how long they were unreadable is saved by finish(). */
  private async readAlarms(): Promise<string[]> {
    return rollbackAlarmObjections(this.config, this.state.alarmsUnreadableSince, (since) => {
      this.state = { ...this.state, alarmsUnreadableSince: since };
      this.dirty = true;
    });
  }

  /** The rule must still be what the controller last wrote; anything else is someone else's edit. */
  private async verifyRule(): Promise<ObservedRule> {
    if (this.verifiedRule) {
      return this.verifiedRule;
    }
    const ruleArn = this.state.ruleArn;
    const rule = ruleArn ? await describeRule(ruleArn) : undefined;
    if (!rule) {
      throw new ReleaseFailure(`listener rule ${ruleArn ?? `at priority ${this.config.priority}`} was deleted outside the release controller`);
    }
    if (!sameSplit(rule.split, this.state.written)) {
      throw new ReleaseFailure(`listener rule ${rule.arn} was changed outside the release controller: it forwards ${describeSplit(rule.split)}, but the controller last wrote ${describeSplit(this.state.written)}; release aborted`);
    }
    this.verifiedRule = rule;
    return rule;
  }

  /**
   * A write saved as pending but not recorded as done: if the rule shows it, it happened (the
   * Lambda died before saving), so record it now; otherwise forget it and redo the phase.
   */
  private async settlePending(): Promise<boolean> {
    const pending = this.state.pending!;
    const settled = settlePending(this.state, await this.findOwnRule(), this.config);
    this.state = settled.state;
    this.dirty = true;
    if (settled.recorded) {
      log.info('found an earlier poll\'s rule write done; recorded it', { kind: pending.kind, split: describeSplit(pending.split) });
      this.emit(STEP_NAMES[pending.kind], describeSplit(pending.split));
    }
    return settled.recorded;
  }

  /** Write the rule the safe way: pending saved first, the write, then the result (saved by finish()). */
  private async write(rule: ObservedRule, conditions: ObservedRule['conditions'], pending: PendingWrite): Promise<void> {
    if (!sameSplit(rule.split, pending.split) || !sameConditions(rule.conditions, conditions)) {
      this.state = { ...this.state, pending };
      await this.save();
      await this.fenced(() => modifyRule(rule.arn, conditions, pending.split));
      this.verifiedRule = { ...rule, split: pending.split, conditions };
    }
    this.state = { ...afterWrite(this.state, pending, this.config), ruleArn: rule.arn };
    this.dirty = true;
    log.info('listener rule written', { kind: pending.kind, split: describeSplit(pending.split), phase: this.state.phase });
    this.emit(this.state.mode === 'CONVERGE' && pending.kind === 'commit' ? 'UNCHANGED' : STEP_NAMES[pending.kind], describeSplit(pending.split));
  }

  /**
   * The controller's rule: by its ARN, or (when the ARN is unknown or gone) the rule at the
   * deployment's priority if it forwards only to this deployment's target groups.
   */
  private async findOwnRule(): Promise<ObservedRule | undefined> {
    return this.findRuleOn(this.config.listenerArn, this.state.ruleArn, this.state.mode !== 'FIRST');
  }

  /**
   * The controller's rule on a listener: `knownArn`, or the rule at the deployment's priority
   * if it forwards only to this deployment's target groups, or (`adoptTagged`) carries this
   * controller's tag (`strict`: else the priority is taken, and that fails the release).
   * The test rule is adopted by its tag: a poll that died between creating it and saving its
   * ARN leaves it forwarding to a candidate the next request's state no longer names.
   */
  private async findRuleOn(
    listenerArn: string, knownArn: string | undefined, strict: boolean, adoptTagged = false,
  ): Promise<ObservedRule | undefined> {
    if (knownArn) {
      const rule = await describeRule(knownArn);
      if (rule) {
        return rule;
      }
    }
    const rule = await findRuleAtPriority(listenerArn, this.config.priority);
    if (!rule) {
      return undefined;
    }
    const own = new Set([this.state.live, this.state.candidate, this.state.previous, this.config.generation]
      .filter((g): g is GenerationRef => g !== undefined)
      .map((g) => g.targetGroupArn));
    const ours = (rule.split !== undefined && referencedTargetGroups(rule.split).every((arn) => own.has(arn)))
      || (adoptTagged && (await ruleTags(rule.arn)).get(CONTROLLER_TAG_KEY) === controllerEnvironment().controllerTag);
    if (!ours && strict) {
      throw priorityTaken(listenerArn, this.config.priority, rule);
    }
    return rule;
  }

  private async transition(patch: Partial<ReleaseState>, step: string, message?: string): Promise<void> {
    const changedPhase = patch.phase !== undefined && patch.phase !== this.state.phase;
    this.state = { ...this.state, ...patch, phaseAt: changedPhase ? now() : patch.phaseAt ?? this.state.phaseAt };
    this.dirty = true;
    // 'detail': a 'message' field would be overwritten by the record's own message.
    log.info('release step', { step, phase: this.state.phase, detail: message });
    this.emit(step, message);
  }

  /** Save now, keeping the lease: before a rule write, and when a request claims the deployment. */
  private async save(): Promise<void> {
    await this.lease.save(serializeState(this.state));
    this.dirty = false;
  }

  /**
   * A write DynamoDB cannot fence (the rule, a desired capacity): made only while this poll's
   * lease is sure to outlast it (see aws/state-store.ts).
   */
  private async fenced<T>(write: () => Promise<T>): Promise<T> {
    await this.lease.hold();
    return write();
  }

  /** On the failure path the state write is best effort: the rule is what matters. */
  private async saveQuietly(): Promise<void> {
    try {
      await retryTransient('save state', () => this.save());
    } catch (error) {
      log.warn('could not save release state', { error: describeError(error) });
    }
  }

  /** Queue a step event; finish() publishes it once the poll's state is saved. */
  private emit(step: string, message?: string): void {
    this.events.push(stepDetail(this.config.deploymentName, this.state, step, message));
  }

  /** Create the deployment's rule at its priority, tagged as this release's, under the lease. */
  private async createRule(conditions: ObservedRule['conditions'], split: TrafficSplit): Promise<ObservedRule> {
    return this.fenced(() => createRule(this.config.listenerArn, this.config.priority, conditions, split, this.ruleOwner()));
  }

  /** The tags on every rule this release creates. */
  private ruleOwner(): RuleOwner {
    return { releaseId: this.request.PhysicalResourceId ?? '', controllerTag: controllerEnvironment().controllerTag };
  }

  private candidate(): GenerationRef {
    if (!this.state.candidate) {
      throw new Error(`phase ${this.state.phase} needs a candidate generation and the state has none`);
    }
    return this.state.candidate;
  }

  private live(): GenerationRef {
    if (!this.state.live) {
      throw new Error(`phase ${this.state.phase} needs a live generation and the state has none`);
    }
    return this.state.live;
  }
}
