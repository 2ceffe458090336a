import * as fs from 'fs';
import * as path from 'path';
import { overlayOptions } from './isolation';
import { bind, bindRecursive, mountOverlay, mountProc, mountSysfsReadOnly, mountTmpfs, mountPointsBelow, unmountRecursive } from './mounts';

/** Debian's hook that tells maintainer scripts whether they may start a service; 101 means no. */
const POLICY_RC_D = '#!/bin/sh\n# bake-local: no package starts a service while the image is built (exit 101: action forbidden)\nexit 101\n';

export interface OverlayRootLayers {
  /** Read-only layers, top first; the cached root is the last one and is never written to. */
  readonly lowers: readonly string[];
  /** Upper and work folders, on the sandbox's tmpfs: every change lands there and dies with it. */
  readonly upper: string;
  readonly work: string;
  /** Where the guest's root is mounted. */
  readonly merged: string;
}

/**
 * A guest root: an overlay over the cached root, with what a running system has that a folder
 * does not (proc, the host's /dev, a read-only sysfs, an empty /run, the host's DNS settings),
 * and Debian's policy-rc.d so that installing a package starts nothing. What bake-local adds is
 * taken away again by `release()`, which leaves the merged folder as the image would be.
 */
export class OverlayRoot {
  private restoreResolvConf?: () => void;
  private restorePolicy?: () => void;
  private special: string[] = [];

  constructor(private readonly layers: OverlayRootLayers) {}

  public get root(): string {
    return this.layers.merged;
  }

  public mount(): void {
    for (const dir of [this.layers.upper, this.layers.work, this.layers.merged]) {
      fs.mkdirSync(dir, { recursive: true });
    }
    mountOverlay(this.layers.merged, overlayOptions(this.layers.lowers, this.layers.upper, this.layers.work));
    this.mountSpecial('proc', mountProc);
    this.mountSpecial('dev', target => bindRecursive('/dev', target));
    this.mountSpecial('sys', mountSysfsReadOnly);
    this.mountSpecial('run', target => mountTmpfs(target));
    this.addResolvConf();
    this.addPolicyRcD();
  }

  /** Empties /run as a restart does. */
  public remountRun(): void {
    const run = path.join(this.root, 'run');
    unmountRecursive(run);
    mountTmpfs(run);
  }

  /**
   * Empties /tmp as a restart does: Debian's and Ubuntu's boot clears it (systemd's tmp.conf,
   * `D /tmp`), and on Amazon Linux 2023 it is a tmpfs.
   */
  public emptyTmp(): void {
    emptyGuestFolder(path.join(this.root, 'tmp'));
  }

  /** Takes away what bake-local added and unmounts proc, dev, sys and run: the merged folder is then the image. */
  public release(): void {
    this.restorePolicy?.();
    this.restorePolicy = undefined;
    this.restoreResolvConf?.();
    this.restoreResolvConf = undefined;
    for (const target of this.special.reverse()) {
      unmountRecursive(target);
    }
    this.special = [];
  }

  /** Unmounts everything. */
  public unmount(): void {
    this.release();
    unmountRecursive(this.layers.merged);
  }

  private mountSpecial(name: string, mount: (target: string) => void): void {
    const target = path.join(this.root, name);
    if (!fs.existsSync(target)) {
      fs.mkdirSync(target, { mode: 0o755 });
    }
    mount(target);
    this.special.push(target);
  }

  /** The host's resolver settings, so that package managers reach their mirrors. */
  private addResolvConf(): void {
    const host = '/etc/resolv.conf';
    if (!fs.existsSync(host)) {
      return;
    }
    const target = path.join(this.root, 'etc', 'resolv.conf');
    const stat = lstat(target);
    if (stat?.isFile()) {
      // A bind mount leaves the image's own file untouched underneath.
      bind(fs.realpathSync(host), target);
      this.special.push(target);
      return;
    }
    const link = stat?.isSymbolicLink() ? fs.readlinkSync(target) : undefined;
    if (stat) {
      fs.rmSync(target, { force: true });
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, fs.readFileSync(host));
    this.restoreResolvConf = () => {
      fs.rmSync(target, { force: true });
      if (link !== undefined) {
        fs.symlinkSync(link, target);
      }
    };
  }

  private addPolicyRcD(): void {
    const target = path.join(this.root, 'usr', 'sbin', 'policy-rc.d');
    if (!fs.existsSync(path.dirname(target))) {
      return;
    }
    const original = lstat(target)?.isFile() ? { content: fs.readFileSync(target), mode: fs.statSync(target).mode % 0o10000 } : undefined;
    fs.writeFileSync(target, POLICY_RC_D, { mode: 0o755 });
    fs.chmodSync(target, 0o755);
    this.restorePolicy = () => {
      if (original) {
        fs.writeFileSync(target, original.content);
        fs.chmodSync(target, original.mode);
      } else {
        fs.rmSync(target, { force: true });
      }
    };
  }
}

function lstat(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Removes what a guest folder holds, never reaching past the guest's own files: a folder that is
 * a symbolic link (an absolute one would name a host path here) is left alone, anything a step
 * mounted below it is unmounted first, and links inside it are removed, not followed.
 */
export function emptyGuestFolder(folder: string): void {
  if (!lstat(folder)?.isDirectory()) {
    return;
  }
  for (const mountPoint of mountPointsBelow(folder)) {
    unmountRecursive(mountPoint);
  }
  for (const entry of fs.readdirSync(folder)) {
    fs.rmSync(path.join(folder, entry), { recursive: true, force: true });
  }
}
