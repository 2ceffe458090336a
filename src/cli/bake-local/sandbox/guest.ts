import { GuestAccounts } from './guest-accounts';

/** What a command run in the guest ended with. */
export interface GuestExecResult {
  /** The exit code, or undefined when a signal ended it. */
  readonly exitCode?: number;
  readonly signal?: string;
  readonly stdout: string;
  /** The last line it wrote to standard error, if any. */
  readonly lastErrorLine?: string;
  readonly timedOut: boolean;
}

export interface GuestExecOptions {
  /** Working directory inside the guest. */
  readonly cwd: string;
  /** Extra environment on top of the guest's clean root environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch after which the command is killed. */
  readonly deadline?: number;
  /** Every chunk of output, standard output and error interleaved, as it comes. */
  readonly onOutput?: (chunk: string) => void;
}

/**
 * The root filesystem steps run in, as the step emulators see it: paths inside it, commands run
 * with it as their root, its accounts, and the emulated reboot. The sandbox provides the real
 * one; unit tests provide one over a plain folder.
 */
export interface Guest {
  /** Host path of the guest's `/`. */
  readonly root: string;
  /** Host path of a guest path (links resolved inside the guest; relative to `cwd`). */
  resolve(guestPath: string, options?: { cwd?: string; followLast?: boolean }): string;
  /** A folder for bake-local's own files that is not part of the image (on the guest's /run). */
  scratch(): { readonly guestPath: string; readonly hostPath: string };
  exec(argv: readonly string[], options: GuestExecOptions): Promise<GuestExecResult>;
  accounts(): GuestAccounts;
  /** Stops every process of the guest and empties /run and /tmp, as a restart would; returns what it did. */
  reboot(): Promise<string>;
}

/**
 * The environment steps run with: root's, clean. Nothing of the user's own environment reaches
 * the image (no AWS credentials, no proxy settings, no locale of the laptop).
 */
export const GUEST_ENVIRONMENT: Readonly<Record<string, string>> = Object.freeze({
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  USER: 'root',
  LOGNAME: 'root',
  SHELL: '/bin/bash',
  LANG: 'C.UTF-8',
});
