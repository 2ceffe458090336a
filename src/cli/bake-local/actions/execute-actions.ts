import * as fs from 'fs';
import * as path from 'path';
import { ActionContext, ActionEmulator, ActionOutcome, failed, text } from './action';
import { exists, guestFile } from './guest-files';
import { GuestExecResult } from '../sandbox/guest';

/** The exit code with which a Linux step asks for a restart and to be run again (SSM's convention). */
export const REBOOT_EXIT_CODE = 194;

let scriptCounter = 0;

/**
 * ExecuteBash: the commands become one script file run by bash in the working directory, with
 * root's clean environment; its exit code is the step's, 194 asks for a restart and a second run,
 * and its standard output is `outputs.stdout`. The script lives on the guest's /run (not in the
 * image), as AWSTOE's lives in its own folder.
 */
export const executeBash: ActionEmulator = {
  run: async (context: ActionContext) => {
    const inputs = (context.inputs ?? {}) as { commands?: unknown };
    const commands = Array.isArray(inputs.commands) ? inputs.commands.map(c => String(c)) : [];
    const cwd = checkWorkingDirectory(context);
    if (typeof cwd !== 'string') {
      return cwd;
    }
    const scratch = context.guest.scratch();
    const name = `step-${process.pid}-${++scriptCounter}.sh`;
    const hostScript = path.join(scratch.hostPath, name);
    fs.writeFileSync(hostScript, `${commands.join('\n')}\n`, { mode: 0o700 });
    context.log(`--- ExecuteBash script (${path.posix.join(scratch.guestPath, name)}, in ${cwd}) ---\n${commands.join('\n')}\n--- output ---\n`);
    try {
      const result = await context.guest.exec(['/bin/bash', path.posix.join(scratch.guestPath, name)], {
        cwd, deadline: context.deadline, onOutput: context.log,
      });
      return outcomeOf(result);
    } finally {
      fs.rmSync(hostScript, { force: true });
    }
  },
};

/** ExecuteBinary: the file run directly, with its arguments and no shell between. */
export const executeBinary: ActionEmulator = {
  run: async (context: ActionContext) => {
    const inputs = (context.inputs ?? {}) as { path?: unknown; arguments?: unknown };
    const binary = guestFile(context, text(inputs.path, 'path'));
    if (!exists(binary.hostPath, 'file')) {
      return failed(`${binary.guestPath}: no such file to run`);
    }
    const cwd = checkWorkingDirectory(context);
    if (typeof cwd !== 'string') {
      return cwd;
    }
    const args = Array.isArray(inputs.arguments) ? inputs.arguments.map(a => String(a)) : [];
    context.log(`--- ExecuteBinary ${[binary.guestPath, ...args].join(' ')} (in ${cwd}) ---\n`);
    return outcomeOf(await context.guest.exec([binary.guestPath, ...args], { cwd, deadline: context.deadline, onOutput: context.log }));
  },
};

/** The step's outcome from how its command ended. */
export function outcomeOf(result: GuestExecResult): ActionOutcome {
  const evidence = result.lastErrorLine ?? lastLine(result.stdout);
  if (result.timedOut) {
    return failed('timed out (timeoutSeconds)', { evidence });
  }
  if (result.exitCode === REBOOT_EXIT_CODE) {
    return { ok: true, reboot: 'then-again', exitCode: REBOOT_EXIT_CODE, outputs: { stdout: result.stdout } };
  }
  if (result.exitCode === 0) {
    return { ok: true, exitCode: 0, outputs: { stdout: result.stdout } };
  }
  const reason = result.exitCode !== undefined ? `exit code ${result.exitCode}` : `killed by ${result.signal ?? 'a signal'}`;
  return failed(reason, { exitCode: result.exitCode, evidence });
}

function checkWorkingDirectory(context: ActionContext): string | ActionOutcome {
  const cwd = context.workingDirectory;
  if (!exists(context.guest.resolve(cwd), 'folder')) {
    return failed(`the working directory ${cwd} does not exist on the image`);
  }
  return cwd;
}

function lastLine(output: string): string | undefined {
  return output.split('\n').map(l => l.trim()).filter(l => l !== '').pop();
}
