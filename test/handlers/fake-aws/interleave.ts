import type { FakeAws, InvocationOutcome, LambdaContext } from './fake-aws';

/** One step of an interleaved run: which invocation's call was served. */
export interface InterleaveStep {
  /** Index of the invocation in the list given to interleave(). */
  readonly invocation: number;
  readonly operation: string;
}

export interface InterleavedRun<T> {
  readonly outcomes: readonly InvocationOutcome<T>[];
  readonly steps: readonly InterleaveStep[];
}

/**
 * Run several handler invocations at once against one fake, interleaved at every AWS call
 * (every HTTP request the SDK sends, retries included). All invocations run until each waits
 * at a call or has ended; then `choose` picks which waiting call the fake serves next, and
 * that invocation runs on to its next call or its end. `afterStep` sees the world after each
 * step (invariants are checked there). The same choices give the same run: there are no
 * timers in it, only the order of calls.
 */
export async function interleave<T>(
  fake: FakeAws,
  invocations: readonly ((context: LambdaContext) => Promise<T>)[],
  choose: (waiting: readonly number[], step: number) => number,
  afterStep?: (step: InterleaveStep, index: number, invocationIds: readonly number[]) => void,
): Promise<InterleavedRun<T>> {
  const ids: number[] = [];
  const waiting = new Map<number, { readonly operation: string; readonly serve: () => void }>();
  const outcomes: (InvocationOutcome<T> | undefined)[] = invocations.map(() => undefined);
  const steps: InterleaveStep[] = [];
  let wake: (() => void) | undefined;
  const still = () => waiting.size + outcomes.filter((o) => o !== undefined).length === invocations.length;
  const notify = () => {
    if (wake && still()) {
      const resolve = wake;
      wake = undefined;
      resolve();
    }
  };
  const quiet = () => new Promise<void>((resolve) => {
    if (still()) {
      resolve();
    } else {
      wake = resolve;
    }
  });

  fake.gate = (id, operation) => {
    const index = ids.indexOf(id);
    if (index < 0) {
      return Promise.resolve();
    }
    return new Promise<void>((serve) => {
      waiting.set(index, { operation, serve });
      notify();
    });
  };
  try {
    const runs = invocations.map((fn, index) => fake.runInvocation(fn, {
      onStart: (id) => {
        ids[index] = id;
      },
    }).then((outcome) => {
      outcomes[index] = outcome;
      notify();
    }));
    await quiet();
    while (waiting.size > 0) {
      const order = [...waiting.keys()].sort((a, b) => a - b);
      const index = order[Math.abs(choose(order, steps.length)) % order.length];
      const call = waiting.get(index)!;
      waiting.delete(index);
      const step = { invocation: index, operation: call.operation };
      steps.push(step);
      call.serve();
      await quiet();
      afterStep?.(step, steps.length - 1, ids);
    }
    await Promise.all(runs);
  } finally {
    fake.gate = undefined;
  }
  return { outcomes: outcomes as InvocationOutcome<T>[], steps };
}
