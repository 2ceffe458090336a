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
