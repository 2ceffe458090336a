import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as YAML from 'yaml';
import { GoldenImage, GoldenImageProps, ParentImage, Provisioner } from '../../src';
import { containerStack, ENV } from '../support/stacks';

/*
 * A script run as a file is downloaded by one step and run by the next. When the script asks for
 * a restart (exit code 194 on Linux, 3010 on Windows), AWSTOE restarts the build instance and runs
 * the run step again, not the download: the file must still be there. Amazon Linux 2023 mounts
 * /tmp as a tmpfs and Debian and Ubuntu clear it at boot, so an image downloads its scripts to
 * /var/tmp unless the recipe names a working directory.
 */
let folder: string;
let script: string;
let powerShellScript: string;

beforeAll(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'script-download-'));
  script = path.join(folder, 'configure.sh');
  fs.writeFileSync(script, '#!/bin/bash\nif [ ! -f /root/restarted ]; then touch /root/restarted; exit 194; fi\n');
  powerShellScript = path.join(folder, 'configure.ps1');
  fs.writeFileSync(powerShellScript, 'Write-Output configured\n');
});
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

/** Where the named component's download step puts the script, and the commands of its run step. */
function scriptSteps(documents: { [name: string]: string }, name: string): { destination: string; commands: string[] } {
  const steps = YAML.parse(documents[name]).phases[0].steps;
  const download = steps.find((s: any) => s.action === 'S3Download');
  const run = steps.find((s: any) => s.name === name);
  return { destination: download.inputs[0].destination, commands: run.inputs.commands };
}

function image(props: Partial<GoldenImageProps>): GoldenImage {
  const stack = new Stack(new App(), 'Bake', { env: ENV });
  return new GoldenImage(stack, 'Web', {
    parentImage: ParentImage.amazonLinux2023(),
    provisioners: [Provisioner.shellScript({ name: 'configure', path: script })],
    ...props,
  });
}

describe('where a script is downloaded to run', () => {
  test('an image without a working directory: /var/tmp, which a restart keeps, and the run step reads it there', () => {
    const { destination, commands } = scriptSteps(image({}).componentDocuments, 'configure');
    expect(destination).toMatch(/^\/var\/tmp\/configure-[0-9a-f]{8}\.sh$/);
    expect(commands.join('\n')).toContain(`chmod 0700 '${destination}'`);
    expect(commands.join('\n')).not.toMatch(/'\/tmp\//);
  });

  test('an image with a working directory: that folder, as the user chose', () => {
    const { destination } = scriptSteps(image({ workingDirectory: '/opt/build' }).componentDocuments, 'configure');
    expect(destination).toMatch(/^\/opt\/build\/configure-[0-9a-f]{8}\.sh$/);
  });

  test('the default is a folder the user could name: naming /var/tmp renders the same document', () => {
    expect(image({ workingDirectory: '/var/tmp' }).componentDocuments.configure).toEqual(image({}).componentDocuments.configure);
  });

  test('inline shell commands download nothing and read the same whichever folder it is', () => {
    const inline = image({ provisioners: [Provisioner.shell({ name: 'motd', commands: ['echo golden > /etc/motd'] })] });
    expect(inline.componentDocuments.motd).not.toContain('S3Download');
    expect(inline.componentDocuments.motd).not.toContain('/var/tmp');
  });

  test('a Windows image keeps C:\\Windows\\Temp, which a restart keeps too', () => {
    const windows = image({
      parentImage: ParentImage.windowsServer({ version: '2022' }),
      provisioners: [Provisioner.powerShellScript({ name: 'configure', path: powerShellScript })],
    });
    expect(scriptSteps(windows.componentDocuments, 'configure').destination).toMatch(/^C:\\Windows\\Temp\\configure-[0-9a-f]{8}\.ps1$/);
  });

  test('a container image keeps /tmp: a docker build never restarts', () => {
    const { image: container } = containerStack({ provisioners: [Provisioner.shellScript({ name: 'configure', path: script })] });
    expect(scriptSteps(container.componentDocuments, 'configure').destination).toMatch(/^\/tmp\/configure-[0-9a-f]{8}\.sh$/);
  });
});
