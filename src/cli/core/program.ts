import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './cli-error';
import { OutputStream } from './json-output';
import { ProgressStream } from './progress';

/** The name users type. */
export const PROGRAM_NAME = 'cdk-immutable-infra';

/** What a command may touch of the process it runs in (tests pass their own). */
export interface CliContext {
  readonly stdout: OutputStream;
  readonly stderr: ProgressStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/**
 * One command of the command line. `register` declares its flags; its action loads the
 * command's implementation only when the command runs, so `--help` and the other commands never
 * pay for it, and returns the exit code.
 */
export interface CliCommand {
  register(program: Command, context: CliContext, run: (action: () => Promise<ExitCode>) => Promise<void>): void;
}

/**
 * Parses `args` (the words after the program name), runs the command they name and returns the
 * exit code. Every error a user can cause ends as one line on standard error: the flag, file or
 * line at fault and what to do.
 */
export async function runCli(args: readonly string[], context: CliContext, commands: readonly CliCommand[]): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.OK;
  let active = '';
  const program = createProgram(context);
  program.hook('preSubcommand', (_, sub) => {
    active = ` ${sub.name()}`;
  });
  const run = async (action: () => Promise<ExitCode>) => {
    exitCode = await action();
  };
  for (const command of commands) {
    command.register(program, context, run);
  }
  try {
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (e) {
    return reportError(e, context, active);
  }
}

function createProgram(context: CliContext): Command {
  const program = new Command(PROGRAM_NAME)
    .description('Golden images and immutable infrastructure for AWS CDK: work on what `cdk synth` made, on this machine.')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: text => context.stdout.write(text),
      writeErr: text => context.stderr.write(text),
      // Commander's own errors (unknown flag, missing value) become the one line every error is.
      outputError: () => undefined,
    });
  program.helpCommand(false);
  return program;
}

function reportError(e: unknown, context: CliContext, command: string): ExitCode {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.executeSubCommandAsync') {
      return ExitCode.OK;
    }
    if (e.code === 'commander.help') {
      // No command given: commander has printed the usage on standard error.
      return ExitCode.USAGE;
    }
    const message = e.message.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ').trim();
    context.stderr.write(`${PROGRAM_NAME}: ${message || 'a command is needed'}. Run '${PROGRAM_NAME}${command} --help' for the usage.\n`);
    return ExitCode.USAGE;
  }
  if (e instanceof CliError) {
    context.stderr.write(`${PROGRAM_NAME}: ${e.message}\n`);
    return e.exitCode;
  }
  // Anything else is a bug in the command line itself: say so, with the stack to report.
  const detail = e instanceof Error ? e.stack ?? e.message : String(e);
  context.stderr.write(`${PROGRAM_NAME}: internal error (please report it): ${detail}\n`);
  return ExitCode.FAILED;
}
