import { renderPlan } from './plan-report';
import { planStacks } from './stack-plan';
import { readTemplatesOrAssembly } from '../assembly/cloud-assembly';
import { ExitCode } from '../core/cli-error';
import { writeJson } from '../core/json-output';
import { CliContext } from '../core/program';

export interface PlanOptions {
  /** The assembly (or template folder) as deployed now. */
  readonly base: string;
  /** The assembly to deploy. */
  readonly app: string;
  readonly json: boolean;
  /** Exit 1 when the plan releases (`release`) or re-bakes (`rebake`). */
  readonly failOn?: 'release' | 'rebake';
}

/** `plan`: reads both assemblies, prints the plan, and exits 1 when --fail-on matches. */
export async function plan(options: PlanOptions, context: CliContext): Promise<ExitCode> {
  const base = readTemplatesOrAssembly(options.base, context.cwd, '--base');
  const app = readTemplatesOrAssembly(options.app, context.cwd, '--app');
  const stacks = planStacks(base, app);
  const rebakes = stacks.reduce((n, s) => n + s.rebakes.length, 0);
  const releases = stacks.reduce((n, s) => n + s.releases.length, 0);
  if (options.json) {
    writeJson(context.stdout, { base: base.directory, app: app.directory, rebakes, releases, stacks });
  } else {
    context.stdout.write(renderPlan(stacks));
  }
  const failed = (options.failOn === 'release' && releases > 0) || (options.failOn === 'rebake' && rebakes > 0);
  if (failed) {
    context.stderr.write(`plan: --fail-on ${options.failOn}: the change ${options.failOn === 'release' ? `releases ${releases} new generation(s)` : `re-bakes ${rebakes} image(s)`}\n`);
  }
  return failed ? ExitCode.FAILED : ExitCode.OK;
}
