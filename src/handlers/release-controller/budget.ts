import { now } from './clock';

/** What the controller reads of the Lambda context. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

let deadline: number | undefined;

/** Note when this invocation must be done (the Lambda's timeout); without a context, never. */
export function startInvocation(context?: InvocationContext): void {
  deadline = context ? now() + context.getRemainingTimeInMillis() : undefined;
}

/** Milliseconds left before the Lambda is stopped. */
export function remainingMs(): number {
  return deadline === undefined ? Number.POSITIVE_INFINITY : deadline - now();
}
