import { powerShellQuote, shellQuote } from './script-language';

/**
 * Commands that unpack a zipped folder asset on the build instance. CDK uploads a folder
 * asset as a zip of the folder's contents (no top-level folder in the archive).
 */

/**
 * Python's own extractor, which, unlike `python3 -m zipfile -e`, keeps the Unix modes the zip
 * records (executable scripts stay executable). Standard library only: python3 is on stock
 * Amazon Linux, Ubuntu and most Debian images, `unzip` is not on all of them.
 */
const PYTHON_EXTRACT = [
  'import os, sys, zipfile',
  'with zipfile.ZipFile(sys.argv[1]) as archive:',
  '    for member in archive.infolist():',
  '        target = archive.extract(member, sys.argv[2])',
  '        mode = (member.external_attr >> 16) & 0o7777',
  '        if mode and not member.is_dir():',
  '            os.chmod(target, mode)',
].join('\n');

/**
 * Bash lines that extract `archive` into `folder` (created if missing, merged if present):
 * with `unzip` when the image has it, else with python3, else they fail saying what to install.
 *
 * @param who names the provisioner in the failure message
 */
export function bashExtractLines(archive: string, folder: string, who: string): string[] {
  const missing = `${who}: cannot extract ${archive}: neither unzip nor python3 is installed on the instance. `
    + 'Install one in an earlier provisioner, e.g. Provisioner.shell({ commands: [\'dnf install -y unzip\'] }) or apt-get install -y unzip';
  return [
    `mkdir -p ${shellQuote(folder)}`,
    'if command -v unzip >/dev/null 2>&1; then',
    `  unzip -q -o ${shellQuote(archive)} -d ${shellQuote(folder)}`,
    'elif command -v python3 >/dev/null 2>&1; then',
    `  python3 -c ${shellQuote(PYTHON_EXTRACT)} ${shellQuote(archive)} ${shellQuote(folder)}`,
    'else',
    `  echo ${shellQuote(missing)} >&2`,
    '  exit 1',
    'fi',
  ];
}

/** PowerShell lines that extract `archive` into `folder` (created if missing, merged if present). */
export function powerShellExtractLines(archive: string, folder: string): string[] {
  return [
    `New-Item -ItemType Directory -Force -Path ${powerShellQuote(folder)} | Out-Null`,
    `Expand-Archive -LiteralPath ${powerShellQuote(archive)} -DestinationPath ${powerShellQuote(folder)} -Force`,
  ];
}
