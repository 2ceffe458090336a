import { ActionContext, ActionEmulator, failed } from './action';
import { evaluateCondition } from './conditions';

/** Assert: the step passes when its condition holds. */
export const assertAction: ActionEmulator = {
  run: async (context: ActionContext) => {
    try {
      if (evaluateCondition(context.inputs, { resolve: p => context.guest.resolve(p, { cwd: context.workingDirectory }) })) {
        return { ok: true };
      }
      return failed(`the assertion does not hold: ${JSON.stringify(context.inputs)}`);
    } catch (e) {
      return failed(e instanceof Error ? e.message : String(e));
    }
  },
};
