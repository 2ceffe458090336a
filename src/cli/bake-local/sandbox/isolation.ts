/**
 * How bake-local isolates what it runs, on a machine with no container engine: the command
 * becomes PID 1 of new mount and PID namespaces (`unshare --mount --pid --fork --kill-child`),
 * under `setpriv --pdeathsig KILL` so that it is killed when the command line dies, however it
 * dies. When PID 1 of a PID namespace ends, the kernel kills everything else in it; when the
 * last process of a mount namespace ends, its mounts go with it. `unshare --mount` makes every
 * mount private, so nothing mounted inside is ever seen outside.
 */
export function isolatedCommand(argv: readonly string[]): string[] {
  return ['setpriv', '--pdeathsig', 'KILL', '--', 'unshare', '--mount', '--pid', '--fork', '--kill-child', '--', ...argv];
}

/**
 * A command run inside the guest: `unshare --root --wd` changes the root directory and the
 * working directory and runs it (no new namespace); in the test phase, `nsenter --net` first
 * enters the phase's own network namespace.
 */
export function guestCommand(root: string, cwd: string, argv: readonly string[], networkNamespace?: string): string[] {
  const chrooted = ['unshare', `--root=${root}`, `--wd=${cwd}`, '--', ...argv];
  return networkNamespace ? ['nsenter', `--net=${networkNamespace}`, '--', ...chrooted] : chrooted;
}

/** The overlay mount options: the cached root (and layers above it) read-only below, the upper layer on the sandbox's tmpfs. */
export function overlayOptions(lowers: readonly string[], upper: string, work: string): string {
  for (const dir of [...lowers, upper, work]) {
    if (/[,:\\]/.test(dir)) {
      throw new Error(`${dir}: overlay layers cannot have ',', ':' or '\\' in their path; use a cache folder without them (--cache)`);
    }
  }
  return `lowerdir=${lowers.join(':')},upperdir=${upper},workdir=${work}`;
}

/** Host tools the sandbox needs, and the package that has them. */
export const SANDBOX_TOOLS: ReadonlyArray<{ readonly tool: string; readonly packageName: string }> = [
  { tool: 'unshare', packageName: 'util-linux' },
  { tool: 'setpriv', packageName: 'util-linux' },
  { tool: 'nsenter', packageName: 'util-linux' },
  { tool: 'mount', packageName: 'mount' },
  { tool: 'umount', packageName: 'mount' },
  { tool: 'cp', packageName: 'coreutils' },
  { tool: 'ip', packageName: 'iproute2' },
];
