import { ActionContext, ActionEmulator } from './action';
import { executeBash } from './execute-actions';
import { shellQuote } from '../../../provisioning/script-language';

/**
 * Reboot: there is no kernel to restart, so the sandbox does what a restart does to a build:
 * every process of the guest stops and /run starts empty; then the next step runs. A delay is
 * not waited out.
 */
export const reboot: ActionEmulator = {
  run: async (context: ActionContext) => {
    const delay = Number((context.inputs as { delaySeconds?: unknown } | undefined)?.delaySeconds ?? 0);
    return {
      ok: true,
      reboot: 'then-next',
      notes: delay > 0 ? [`the ${delay}s delay before the restart was not waited out`] : [],
    };
  },
};

/**
 * UpdateOS on Linux: the distribution's own upgrade with the package manager the image has
 * (apt-get, dnf or yum, as AWSTOE picks), limited to `include` and without `exclude`.
 */
export const updateOs: ActionEmulator = {
  run: (context: ActionContext) => {
    const inputs = (context.inputs ?? {}) as { include?: unknown; exclude?: unknown };
    const include = asList(inputs.include);
    const exclude = asList(inputs.exclude);
    return executeBash.run({ ...context, inputs: { commands: updateCommands(include, exclude) } });
  },
};

/** The shell commands of an OS update (exported for tests). */
export function updateCommands(include: readonly string[], exclude: readonly string[]): string[] {
  const included = include.map(shellQuote).join(' ');
  const excluded = exclude.map(shellQuote).join(' ');
  return [
    'set -e',
    'export DEBIAN_FRONTEND=noninteractive',
    'if command -v apt-get >/dev/null 2>&1; then',
    '  apt-get update',
    ...(exclude.length > 0 ? [`  apt-mark hold ${excluded}`] : []),
    include.length > 0
      ? `  apt-get install -y --only-upgrade -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ${included}`
      : '  apt-get upgrade -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold',
    ...(exclude.length > 0 ? [`  apt-mark unhold ${excluded}`] : []),
    'elif command -v dnf >/dev/null 2>&1; then',
    `  dnf -y upgrade ${included}${exclude.map(e => ` --exclude=${shellQuote(e)}`).join('')}`,
    'elif command -v yum >/dev/null 2>&1; then',
    `  yum -y update ${included}${exclude.map(e => ` --exclude=${shellQuote(e)}`).join('')}`,
    'else',
    '  echo "UpdateOS: the image has neither apt-get, dnf nor yum" >&2',
    '  exit 1',
    'fi',
  ];
}

function asList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(v => String(v)) : [];
}
