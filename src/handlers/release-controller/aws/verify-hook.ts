import { InvokeCommand } from '@aws-sdk/client-lambda';
import { aws } from './clients';
import { VERIFY_INVOCATION_SECONDS, VERIFY_VERDICTS, type VerifyHookEvent, type VerifyHookResult, type VerifyVerdict } from '../../../release-contract/verify-hook';
import { ReleaseFailure, describeError, isTransient } from '../errors';

/** The hook's answer, read: a verdict and why. */
export interface VerifyAnswer {
  readonly verdict: VerifyVerdict;
  readonly reason: string;
}

// A reason from user code goes into the state, the logs and CloudFormation's event: bounded here.
const MAX_HOOK_REASON = 300;

/**
 * Invoke the verify hook synchronously (RequestResponse) and read its verdict. A function
 * error (the hook threw, timed out or ran out of memory: Invoke still answers 200, with
 * X-Amz-Function-Error and the error object as payload) and an answer outside the contract are
 * FAIL. An invocation that got no answer in time, or was throttled, is NOT_YET: the hook is
 * asked again on a later poll, until the verify timeout. Anything else Invoke refuses (the
 * function is gone, the controller may not invoke it) fails the release.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export async function invokeVerifyHook(functionArn: string, event: VerifyHookEvent): Promise<VerifyAnswer> {
  let out;
  try {
    out = await aws().lambda.send(new InvokeCommand({
      FunctionName: functionArn,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }));
  } catch (error) {
    if (isTransient(error)) {
      const timedOut = /timeout/i.test(describeError(error));
      return { verdict: 'NOT_YET', reason: timedOut ? `no answer within ${VERIFY_INVOCATION_SECONDS} s` : `not invoked (${bound(describeError(error))})` };
    }
    throw new ReleaseFailure(`cannot invoke the verify hook ${functionArn}: ${describeError(error)}`);
  }
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
  if (out.FunctionError) {
    return { verdict: 'FAIL', reason: `the hook raised an error (${out.FunctionError}): ${bound(describeFunctionError(text))}` };
  }
  return readResult(text);
}

function readResult(text: string): VerifyAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<VerifyHookResult>;
  if (!(VERIFY_VERDICTS as readonly unknown[]).includes(result.verdict)) {
    return { verdict: 'FAIL', reason: `the hook answered ${bound(text || 'nothing')}, not { verdict: ${VERIFY_VERDICTS.join(' | ')} }` };
  }
  return { verdict: result.verdict!, reason: typeof result.reason === 'string' && result.reason.length > 0 ? bound(result.reason) : 'no reason given' };
}

/** "TypeError: x is undefined" from the runtime's error object ({ errorType, errorMessage }). */
function describeFunctionError(text: string): string {
  try {
    const error = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof error.errorMessage === 'string') {
      return typeof error.errorType === 'string' ? `${error.errorType}: ${error.errorMessage}` : error.errorMessage;
    }
  } catch {
    // Not the runtime's JSON: shown as it came.
  }
  return text || 'no details';
}

function bound(text: string): string {
  return text.length <= MAX_HOOK_REASON ? text : `${text.slice(0, MAX_HOOK_REASON)}…`;
}
