/**
 * The operating system family of an image. It decides which provisioners can run on it
 * and the platform of the Image Builder components.
 */
export enum OsFamily {
  /** Linux: shell, file, Ansible and other bash-based provisioners. */
  LINUX = 'Linux',
  /** Windows: PowerShell-based provisioners. */
  WINDOWS = 'Windows',
}

/** Where AWSTOE steps run when the recipe sets no working directory of its own. */
export function defaultWorkingDirectory(osFamily: OsFamily): string {
  return osFamily === OsFamily.WINDOWS ? 'C:\\Windows\\Temp' : '/tmp';
}

/**
 * Where a build downloads a script it runs as a file, when the recipe sets no working directory:
 * a folder whose files a restart keeps. A script that exits 194 (Linux) or 3010 (Windows) has
 * the build instance restarted and its run step run again, but not the download step before it.
 * `/tmp` is emptied at boot on Amazon Linux 2023, where it is a tmpfs ("by default /tmp is now
 * tmpfs", https://docs.aws.amazon.com/linux/al2023/ug/filesystem-slash-tmp.html), and on Debian
 * and Ubuntu (systemd's `D /tmp`); `/var/tmp` is the folder for temporary files kept across
 * restarts on all of them. Windows keeps C:\\Windows\\Temp.
 */
export function restartSafeDirectory(osFamily: OsFamily): string {
  return osFamily === OsFamily.WINDOWS ? defaultWorkingDirectory(osFamily) : '/var/tmp';
}
