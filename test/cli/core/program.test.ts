import { Command } from 'commander';
import { CliError, ExitCode } from '../../../src/cli/core/cli-error';
import { CliCommand, CliContext, runCli } from '../../../src/cli/core/program';
import { Progress } from '../../../src/cli/core/progress';
import { renderTable } from '../../../src/cli/core/table';

function context(): CliContext & { out: string; err: string } {
  const io = { out: '', err: '' };
  return Object.assign(io, {
    stdout: { write: (s: string) => (io.out += s) },
    stderr: { write: (s: string) => (io.err += s) },
    env: {},
    cwd: '/',
  });
}

const greet: CliCommand = {
  register(program: Command, _context, run) {
    program.command('greet').description('say hello').option('--name <name>', 'who').option('--fail', 'fail')
      .action(async (options: { name?: string; fail?: boolean }) => run(async () => {
        if (options.name === 'bad') {
          throw new CliError('--name bad: pick another name');
        }
        if (options.name === 'bug') {
          throw new Error('boom');
        }
        return options.fail ? ExitCode.FAILED : ExitCode.OK;
      }));
  },
};

test('exit codes: 0 success, 1 the work failed, 2 bad input with one line naming the flag and the fix', async () => {
  const ok = context();
  expect(await runCli(['greet', '--name', 'Ada'], ok, [greet])).toBe(ExitCode.OK);
  expect(await runCli(['greet', '--fail'], context(), [greet])).toBe(ExitCode.FAILED);

  const unknown = context();
  expect(await runCli(['greet', '--nmae', 'x'], unknown, [greet])).toBe(ExitCode.USAGE);
  expect(unknown.err).toBe('cdk-immutable-infra: unknown option \'--nmae\' (Did you mean --name?). Run \'cdk-immutable-infra greet --help\' for the usage.\n');

  const missing = context();
  expect(await runCli(['greet', '--name'], missing, [greet])).toBe(ExitCode.USAGE);
  expect(missing.err).toBe('cdk-immutable-infra: option \'--name <name>\' argument missing. Run \'cdk-immutable-infra greet --help\' for the usage.\n');

  const extra = context();
  expect(await runCli(['greet', 'loudly'], extra, [greet])).toBe(ExitCode.USAGE);
  expect(extra.err.split('\n')).toHaveLength(2);

  const bad = context();
  expect(await runCli(['greet', '--name', 'bad'], bad, [greet])).toBe(ExitCode.USAGE);
  expect(bad.err).toBe('cdk-immutable-infra: --name bad: pick another name\n');

  const bug = context();
  expect(await runCli(['greet', '--name', 'bug'], bug, [greet])).toBe(ExitCode.FAILED);
  expect(bug.err).toMatch(/^cdk-immutable-infra: internal error \(please report it\): Error: boom/);
});

test('--help on every command, on standard output, exit 0; no command is bad input', async () => {
  const help = context();
  expect(await runCli(['greet', '--help'], help, [greet])).toBe(ExitCode.OK);
  expect(help.out).toContain('Usage: cdk-immutable-infra greet [options]');
  expect(help.out).toContain('--name <name>');
  const top = context();
  expect(await runCli(['--help'], top, [greet])).toBe(ExitCode.OK);
  expect(top.out).toContain('greet [options]');
  const none = context();
  expect(await runCli([], none, [greet])).toBe(ExitCode.USAGE);
  expect(none.err).toContain('Usage: cdk-immutable-infra');
  const unknown = context();
  expect(await runCli(['bake'], unknown, [greet])).toBe(ExitCode.USAGE);
  expect(unknown.err).toBe('cdk-immutable-infra: unknown command \'bake\'. Run \'cdk-immutable-infra --help\' for the usage.\n');
});

describe('progress', () => {
  test('plain lines when not a terminal: one when a task starts, one when it ends', () => {
    let out = '';
    let now = 0;
    const progress = new Progress({ write: s => (out += s), isTTY: false }, { now: () => now });
    progress.begin('[1/2] build · nginx');
    now = 2500;
    progress.log('  > a line');
    expect(progress.end('ok')).toBe(2.5);
    expect(out).toBe('[1/2] build · nginx ...\n  > a line\n[1/2] build · nginx: ok (2.5s)\n');
  });

  test('a live line on a terminal, redrawn in place and replaced by the outcome; --quiet makes it plain', () => {
    let out = '';
    let now = 0;
    const progress = new Progress({ write: s => (out += s), isTTY: true, columns: 40 }, { now: () => now, redrawMs: 100000 });
    expect(progress.live).toBe(true);
    progress.begin('[1/2] build · a step with a very long name indeed');
    now = 1000;
    progress.end('ok');
    expect(out).toBe('\r\x1b[2K[1/2] build · a step with a very…  0.0s\r\x1b[2K[1/2] build · a step with a very long name indeed: ok (1.0s)\n');
    expect(new Progress({ write: () => undefined, isTTY: true }, { quiet: true }).live).toBe(false);
  });
});

test('tables pad every column but the last', () => {
  expect(renderTable(['#', 'step', 'notes'], [['1', 'install', ''], ['10', 'x', 'a note']])).toBe('#   step     notes\n--  -------  ------\n1   install\n10  x        a note\n');
});
