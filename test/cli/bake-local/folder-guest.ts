import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Guest, GUEST_ENVIRONMENT, GuestExecOptions, GuestExecResult } from '../../../src/cli/bake-local/sandbox/guest';
import { GuestAccounts } from '../../../src/cli/bake-local/sandbox/guest-accounts';
import { resolveInRoot } from '../../../src/cli/bake-local/sandbox/root-path';
import { runCommand } from '../../../src/cli/bake-local/sandbox/sandbox-guest';

/**
 * A guest over a plain temporary folder, for the action and runner tests: paths resolve inside
 * it exactly as in the sandbox, and commands run on this machine with the guest's clean
 * environment, in the folder that stands for the guest's working directory (arguments that are
 * guest paths of files in it are mapped). What the sandbox adds (chroot, namespaces) is tested by
 * the command-line tests and the integration test.
 */
export class FolderGuest implements Guest {
  public readonly root: string;
  public restarts = 0;
  public readonly commands: string[][] = [];

  constructor() {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'bake-local-guest-'));
    for (const dir of ['tmp', 'etc', 'run', 'var/www']) {
      fs.mkdirSync(path.join(this.root, dir), { recursive: true });
    }
    fs.writeFileSync(path.join(this.root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n');
    fs.writeFileSync(path.join(this.root, 'etc/group'), 'root:x:0:\nwww-data:x:33:\nadm:x:4:\n');
  }

  public resolve(guestPath: string, options?: { cwd?: string; followLast?: boolean }): string {
    return resolveInRoot(this.root, guestPath, options);
  }

  public scratch(): { guestPath: string; hostPath: string } {
    const hostPath = path.join(this.root, 'run', 'bake-local');
    fs.mkdirSync(hostPath, { recursive: true });
    return { guestPath: '/run/bake-local', hostPath };
  }

  public accounts(): GuestAccounts {
    return new GuestAccounts(this.root);
  }

  public exec(argv: readonly string[], options: GuestExecOptions): Promise<GuestExecResult> {
    this.commands.push([...argv]);
    // These commands run on this machine: a test must never change its packages.
    const script = argv[1]?.startsWith('/run/') ? fs.readFileSync(this.resolve(argv[1]), 'utf-8') : argv.join(' ');
    if (/\b(apt-get|apt-mark|apt|dpkg|dnf|yum|rpm)\b/.test(script)) {
      throw new Error(`FolderGuest runs commands on this machine and refuses package managers: ${script.slice(0, 80)}`);
    }
    const mapped = argv.map((arg, i) => (i > 0 && arg.startsWith('/run/') ? this.resolve(arg) : arg));
    return runCommand(['/bin/sh', '-c', 'cd "$0" && exec "$@"', this.resolve(options.cwd), ...mapped], { ...GUEST_ENVIRONMENT, ...options.env }, options);
  }

  public async reboot(): Promise<string> {
    this.restarts++;
    return 'restarted';
  }

  public file(guestPath: string): string {
    return path.join(this.root, guestPath);
  }

  public dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
