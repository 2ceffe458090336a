import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import {
  commandsOf, EXAMPLE_ACCESS_KEY_ID, expectObjectGrants, EXAMPLE_SECRET_ACCESS_KEY, FAKE_PRIVATE_KEY, FIXTURES, kindTestBed, onlyPhaseSteps,
  PLACEHOLDER, stepNamed, tempFolder, validationErrors, writeFiles,
} from './kind-context';
import { OsFamily } from '../../src/common/os-family';
import { InlinePowerShell, PowerShellProvisionerOptions, PowerShellScript, PowerShellScriptProvisionerOptions } from '../../src/provisioning/powershell';
import { powerShellQuote } from '../../src/provisioning/script-language';
import { StepFailureAction } from '../../src/provisioning/step-options';

const SCRIPT = path.join(FIXTURES, 'scripts', 'setup.ps1');

function bindInline(options: PowerShellProvisionerOptions, osFamily = OsFamily.WINDOWS) {
  const bed = kindTestBed({ osFamily, defaultName: 'powershell-1', workingDirectory: 'C:\\build' });
  const bound = new InlinePowerShell(options).bind(bed.context);
  return { ...bed, bound, document: bound.document!(PLACEHOLDER) };
}

function bindScript(options: PowerShellScriptProvisionerOptions, osFamily = OsFamily.WINDOWS) {
  const bed = kindTestBed({ osFamily, defaultName: 'powershell-script-1', workingDirectory: 'C:\\build' });
  const bound = new PowerShellScript(options).bind(bed.context);
  const asset = bed.scope.node.findAll().find((c): c is s3assets.Asset => c instanceof s3assets.Asset)!;
  return { ...bed, bound, asset, document: bound.document!(PLACEHOLDER) };
}

describe('powerShellQuote', () => {
  test.each([
    ['plain', '\'plain\''],
    ['it\'s', '\'it\'\'s\''],
    ['$env:PATH and `n', '\'$env:PATH and `n\''],
    ['typographic \u2019 quote', '\'typographic \u2019\u2019 quote\''],
  ])('%p', (value, quoted) => {
    expect(powerShellQuote(value)).toBe(quoted);
  });
});

describe('Provisioner.powerShell', () => {
  test('one ExecutePowerShell step: stop on errors, then the environment, then the commands', () => {
    const { bound, document } = bindInline({
      commands: ['Install-WindowsFeature -Name Web-Server', 'Set-Service W3SVC -StartupType Automatic'],
      environment: { SITE_NAME: 'Default Web Site', OWNER: 'O\'Brien' },
    });
    expect(bound).toMatchObject({ name: 'powershell-1', platform: OsFamily.WINDOWS });
    expect(onlyPhaseSteps(document)).toEqual([{
      name: 'powershell-1',
      action: 'ExecutePowerShell',
      inputs: {
        commands: [
          '$ErrorActionPreference = \'Stop\'',
          '$env:OWNER = \'O\'\'Brien\'',
          '$env:SITE_NAME = \'Default Web Site\'',
          'Install-WindowsFeature -Name Web-Server',
          'Set-Service W3SVC -StartupType Automatic',
        ],
      },
    }]);
    expect(validationErrors(document, OsFamily.WINDOWS)).toEqual([]);
  });

  test('step settings and the phase come from the options and the context', () => {
    const bed = kindTestBed({ osFamily: OsFamily.WINDOWS, phase: 'test' });
    const document = new InlinePowerShell({
      name: 'iis-answers',
      commands: ['Invoke-WebRequest http://localhost -UseBasicParsing'],
      timeout: Duration.minutes(10),
      maxAttempts: 2,
      onFailure: StepFailureAction.ABORT,
    }).bind(bed.context).document!(PLACEHOLDER);
    expect(document.phases[0].name).toBe('test');
    expect(document.phases[0].steps[0]).toMatchObject({ name: 'iis-answers', timeoutSeconds: 600, maxAttempts: 2, onFailure: 'Abort' });
  });

  test('on a Linux image it fails and points to Provisioner.shell()', () => {
    expect(() => bindInline({ commands: ['Get-Date'] }, OsFamily.LINUX))
      .toThrow(/KindTest\/Image: invalid provisioners\[0\] 'Provisioner.powerShell': .*parent image is Linux\. Use Provisioner\.shell\(\) for Linux images/);
  });

  test('no commands is an error', () => {
    expect(() => bindInline({ commands: [] })).toThrow(/provisioners\[0\]\.commands \[\]: a PowerShell provisioner needs at least one command/);
  });

  test('credentials in commands or environment are refused', () => {
    expect(() => bindInline({ commands: [`$env:AWS_ACCESS_KEY_ID = '${EXAMPLE_ACCESS_KEY_ID}'`] }))
      .toThrow(/provisioners\[0\]\.commands '\(value withheld\)': the commands contain(s)? an AWS access key id on line 1.*Secrets Manager/);
    expect(() => bindInline({ commands: ['Get-Date'], environment: { AWS_SECRET_ACCESS_KEY: EXAMPLE_SECRET_ACCESS_KEY } }))
      .toThrow(/provisioners\[0\]\.environment\.AWS_SECRET_ACCESS_KEY '\(value withheld\)': the variable holds an AWS secret access key/);
  });

  test('environment variable names are checked', () => {
    expect(() => bindInline({ commands: ['Get-Date'], environment: { 'BAD-NAME': 'x' } })).toThrow(/provisioners\[0\]\.environment 'BAD-NAME'/);
  });
});

describe('Provisioner.powerShellScript', () => {
  test('downloads the script as a .ps1 file and runs it with its arguments, passing its exit code on', () => {
    const { bound, asset, document } = bindScript({ path: SCRIPT, arguments: ['-Role', 'web server'], environment: { STAGE: 'prod' } });
    const target = `C:\\build\\powershell-script-1-${asset.assetHash.slice(0, 8)}.ps1`;
    expect(bound.platform).toBe(OsFamily.WINDOWS);
    expect(onlyPhaseSteps(document)).toEqual([
      { name: 'powershell-script-1-download', action: 'S3Download', inputs: [{ source: `s3://placeholder/${asset.assetHash}`, destination: target, overwrite: true }] },
      {
        name: 'powershell-script-1',
        action: 'ExecutePowerShell',
        inputs: {
          commands: [
            '$ErrorActionPreference = \'Stop\'',
            '$env:STAGE = \'prod\'',
            `& '${target}' '-Role' 'web server'`,
            'if ($LASTEXITCODE) { exit $LASTEXITCODE }',
            `Remove-Item -LiteralPath '${target}' -Force`,
          ],
        },
      },
    ]);
    expect(validationErrors(document, OsFamily.WINDOWS)).toEqual([]);
  });

  test('step settings apply to the run step', () => {
    const { document } = bindScript({ name: 'setup', path: SCRIPT, maxAttempts: 3 });
    expect(stepNamed(document, 'setup')).toMatchObject({ maxAttempts: 3 });
    expect(commandsOf(stepNamed(document, 'setup'))[1]).toMatch(/^& 'C:\\build\\setup-[0-9a-f]{8}\.ps1'$/);
  });

  test('the build role may read the script object only', () => {
    const { stack, asset } = bindScript({ path: SCRIPT });
    expectObjectGrants(stack, [asset]);
  });

  test('a missing script is an error naming the path', () => {
    const missing = path.join(FIXTURES, 'scripts', 'missing.ps1');
    expect(() => bindScript({ path: missing })).toThrow(`no file at ${missing}`);
  });

  test('on a Linux image it fails and points to Provisioner.shellScript()', () => {
    expect(() => bindScript({ path: SCRIPT }, OsFamily.LINUX)).toThrow(/Use Provisioner\.shellScript\(\) for Linux images/);
  });

  test('credentials in the script or its arguments are refused', () => {
    const root = writeFiles(tempFolder('ps-creds-'), { 'deploy.ps1': `Write-Output 'start'\n${FAKE_PRIVATE_KEY}\n` });
    expect(() => bindScript({ path: path.join(root, 'deploy.ps1') })).toThrow(/the script .*deploy\.ps1 contains a private key block on line 2/);
    expect(() => bindScript({ path: SCRIPT, arguments: ['-Key', EXAMPLE_ACCESS_KEY_ID] })).toThrow(/provisioners\[0\]\.arguments .*access key id/);
  });
});
