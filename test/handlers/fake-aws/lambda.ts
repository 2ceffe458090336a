import { serviceError, timeoutError } from './aws-errors';
import type { SimClock } from './sim-clock';
import { VERIFY_INVOCATION_SECONDS, type VerifyHookEvent } from '../../../src/release-contract/verify-hook';

/** What one invocation of a scripted hook does: answer on contract, throw, or answer off it. */
export type HookAnswer =
  | { readonly verdict: 'PASS' | 'FAIL' | 'NOT_YET'; readonly reason?: string }
  /** The function throws: Invoke answers 200 with X-Amz-Function-Error and the runtime's error object. */
  | { readonly throws: string }
  /** A payload outside the contract. */
  | { readonly raw: string };

/** One invocation's script: its answer, and how long the function runs before it answers. */
export interface HookStep {
  readonly answer: HookAnswer;
  readonly seconds?: number;
}

/** A verify hook's behaviour, invocation by invocation (`invocation` counts from 1). */
export type HookScript = (event: VerifyHookEvent, invocation: number) => HookStep;

/** The scripted hooks the fault suites use. */
export const hookScripts = {
  pass: (): HookScript => () => ({ answer: { verdict: 'PASS', reason: 'smoke tests passed' } }),
  fail: (reason: string): HookScript => () => ({ answer: { verdict: 'FAIL', reason } }),
  throws: (message: string): HookScript => () => ({ answer: { throws: message } }),
  raw: (payload: string): HookScript => () => ({ answer: { raw: payload } }),
  /** NOT_YET for the first `times` invocations, then PASS. */
  notYetThenPass: (times: number): HookScript => (_event, n) => (n <= times
    ? { answer: { verdict: 'NOT_YET', reason: `caches warming (${n}/${times})` } }
    : { answer: { verdict: 'PASS', reason: 'smoke tests passed' } }),
  /** `then`, after running `seconds` first. */
  slow: (seconds: number, then: HookScript): HookScript => (event, n) => ({ ...then(event, n), seconds }),
};

/** One invocation as the fake ran it. */
export interface HookInvocation {
  readonly at: number;
  readonly event: VerifyHookEvent;
  readonly answer: HookAnswer;
  /** False when the caller stopped waiting before the function answered. */
  readonly delivered: boolean;
}

interface FakeFunction {
  readonly arn: string;
  readonly script: HookScript;
  readonly invocations: HookInvocation[];
}

interface InvokeInput {
  readonly FunctionName?: string;
  readonly InvocationType?: string;
  readonly Payload?: string;
}

/**
 * Lambda's Invoke for the verify hooks: each function runs a script instead of code. A
 * synchronous invocation answers 200 with the function's result; a function that throws
 * answers 200 too, with X-Amz-Function-Error: Unhandled and the runtime's error object
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html). A function that runs
 * longer than the controller's client waits moves the clock by that wait and never answers.
 */
export class FakeLambda {
  public readonly functions = new Map<string, FakeFunction>();

  public constructor(private readonly clock: SimClock) {}

  /** Create a function that runs `script`; returns its ARN. */
  public createFunction(name: string, script: HookScript): string {
    const arn = `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
    this.functions.set(arn, { arn, script, invocations: [] });
    return arn;
  }

  /** Every invocation of every function, oldest first. */
  public invocations(): HookInvocation[] {
    return [...this.functions.values()].flatMap((f) => f.invocations).sort((a, b) => a.at - b.at);
  }

  /** The target groups a hook answered PASS for, as the caller received it. */
  public passedTargetGroups(): Set<string> {
    return new Set(this.invocations().filter((i) => i.delivered && 'verdict' in i.answer && i.answer.verdict === 'PASS').map((i) => i.event.targetGroupArn));
  }

  public invoke(input: InvokeInput): { StatusCode: number; FunctionError?: string; ExecutedVersion: string; Payload: string } {
    const name = input.FunctionName ?? '';
    const fn = this.functions.get(name) ?? [...this.functions.values()].find((f) => f.arn.endsWith(`:function:${name}`));
    if (!fn) {
      throw serviceError('lambda', 'ResourceNotFoundException', `Function not found: ${name}`, 404);
    }
    if ((input.InvocationType ?? 'RequestResponse') !== 'RequestResponse') {
      throw new Error(`fake: the verify hook is invoked with ${input.InvocationType}, the fake serves RequestResponse only`);
    }
    const event = JSON.parse(input.Payload ?? '{}') as VerifyHookEvent;
    const step = fn.script(event, fn.invocations.length + 1);
    const seconds = step.seconds ?? 0;
    const delivered = seconds < VERIFY_INVOCATION_SECONDS;
    fn.invocations.push({ at: this.clock.now(), event, answer: step.answer, delivered });
    if (!delivered) {
      this.clock.advance(VERIFY_INVOCATION_SECONDS * 1000);
      throw timeoutError(`lambda:Invoke ${name}`, VERIFY_INVOCATION_SECONDS * 1000);
    }
    this.clock.advance(seconds * 1000);
    const answer = step.answer;
    if ('throws' in answer) {
      return { StatusCode: 200, FunctionError: 'Unhandled', ExecutedVersion: '$LATEST', Payload: JSON.stringify({ errorType: 'Error', errorMessage: answer.throws, trace: [] }) };
    }
    return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: 'raw' in answer ? answer.raw : JSON.stringify(answer) };
  }
}
