import * as fs from 'fs';
import * as path from 'path';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import {
  commandsOf, EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, expectObjectGrants, FIXTURES, kindTestBed, onlyPhaseSteps, PLACEHOLDER, stepNamed,
  tempFolder, validationErrors, writeFiles,
} from './kind-context';
import { pathWithout, runDocument, stagedAssets } from './run-steps';
import { OsFamily } from '../../src/common/os-family';
import { ImageComponent } from '../../src/provisioning/image-component';
import { PuppetApply, PuppetApplyProvisionerOptions } from '../../src/provisioning/puppet-apply';

const CODE = path.join(FIXTURES, 'puppet-code');

function bindPuppet(options: Partial<PuppetApplyProvisionerOptions>, osFamily = OsFamily.LINUX, workingDirectory = '/tmp') {
  const bed = kindTestBed({ osFamily, defaultName: 'puppet-1', workingDirectory });
  const bound = new PuppetApply({ modules: CODE, manifest: 'site.pp', ...options }).bind(bed.context);
  const assets = bed.scope.node.findAll().filter((c): c is s3assets.Asset => c instanceof s3assets.Asset);
  return { ...bed, bound, assets, document: bound.document!(PLACEHOLDER) };
}

describe('Provisioner.puppetApply', () => {
  test('installs OpenVox, downloads the code, applies the manifest with detailed exit codes, facts and Hiera', () => {
    const { bound, assets, document, stack } = bindPuppet({ hieraConfig: 'hiera.yaml', facts: { role: 'web', Tier: 'it\'s prod' } });
    const folder = `/tmp/puppet-1-${assets[0].assetHash.slice(0, 8)}`;
    expect(bound).toMatchObject({ name: 'puppet-1', platform: OsFamily.LINUX });
    expect(onlyPhaseSteps(document).map(s => `${s.name}:${s.action}`)).toEqual(['puppet-1-install:ExecuteBash', 'puppet-1-download:S3Download', 'puppet-1:ExecuteBash']);
    expect(stepNamed(document, 'puppet-1-download').inputs).toEqual([{ source: `s3://placeholder/${assets[0].assetHash}`, destination: `${folder}.zip`, overwrite: true }]);
    const run = commandsOf(stepNamed(document, 'puppet-1'));
    expect(run).toContain(`puppet apply --detailed-exitcodes --color=false --modulepath '${folder}' --hiera_config '${folder}/hiera.yaml' '${folder}/site.pp'`);
    expect(run).toContain('export FACTER_Tier=\'it\'\\\'\'s prod\'');
    expect(run).toContain('export FACTER_role=\'web\'');
    expect(validationErrors(document, OsFamily.LINUX)).toEqual([]);
    expectObjectGrants(stack, assets);
  });

  test('the install step adds the openvox<major> release package for the distribution, pinning an exact version', () => {
    const install = commandsOf(stepNamed(bindPuppet({ puppetVersion: '8.23.1' }).document, 'puppet-1-install')).join('\n');
    expect(install).toContain('https://apt.voxpupuli.org/openvox8-release-\'"$os"\'.deb');
    expect(install).toContain('"https://yum.voxpupuli.org/openvox8-release-$os.noarch.rpm"');
    expect(install).toContain('grep -m 1 \'^8.23.1-\'');
    expect(install).toContain('dnf install -y openvox-agent-8.23.1');
    const major = commandsOf(stepNamed(bindPuppet({ puppetVersion: '7' }).document, 'puppet-1-install')).join('\n');
    expect(major).toContain('openvox7-release');
    expect(major).toContain('apt-get -o DPkg::Lock::Timeout=300 install -y openvox-agent\n');
  });

  test('installPuppet: false leaves out the install step; keepInstalled: true keeps the agent', () => {
    expect(onlyPhaseSteps(bindPuppet({ installPuppet: false }).document).map(s => s.name)).toEqual(['puppet-1-download', 'puppet-1']);
    const purges = (doc: ReturnType<typeof bindPuppet>['document']) => commandsOf(stepNamed(doc, 'puppet-1')).some(c => c.includes('dpkg --purge openvox-agent openvox8-release'));
    expect(purges(bindPuppet({}).document)).toBe(true);
    expect(purges(bindPuppet({ keepInstalled: true }).document)).toBe(false);
  });

  test('the code, manifest, facts and version are hashed into the component version', () => {
    const version = (options: Partial<PuppetApplyProvisionerOptions>) => {
      const bed = bindPuppet(options);
      return new ImageComponent(bed.stack, 'Component', { provisioner: bed.bound, componentName: 'puppet', prop: 'provisioners[0]', owner: bed.scope }).identity;
    };
    const base = version({});
    expect(version({})).toBe(base);
    expect(version({ facts: { role: 'db' } })).not.toBe(base);
    expect(version({ manifest: 'motd/manifests/init.pp' })).not.toBe(base);
    expect(version({ puppetVersion: '7' })).not.toBe(base);
    expect(version({ modules: writeFiles(tempFolder('puppet-copy-'), { 'site.pp': 'notice("changed")\n' }) })).not.toBe(base);
  });
});

describe('Provisioner.puppetApply validation', () => {
  test('Windows images are refused, saying what to use', () => {
    expect(() => bindPuppet({}, OsFamily.WINDOWS))
      .toThrow(/KindTest\/Image: invalid provisioners\[0\] 'Provisioner.puppetApply': .*the parent image is Windows\. Use Provisioner\.chefSolo\(\)/);
  });

  test('a missing modules folder, a manifest outside it or missing in it, a missing Hiera config', () => {
    const missing = path.join(FIXTURES, 'no-puppet');
    expect(() => bindPuppet({ modules: missing })).toThrow(`invalid provisioners[0].modules '${missing}': expected a local folder at ${missing}, found nothing`);
    expect(() => bindPuppet({ manifest: '../ansible-single.yml' }))
      .toThrow(`invalid provisioners[0].manifest '../ansible-single.yml': the file is outside the modules folder ${CODE}, and only that folder is uploaded`);
    expect(() => bindPuppet({ manifest: path.join(FIXTURES, 'app.conf') })).toThrow(/invalid provisioners\[0\]\.manifest '.*app\.conf': the file is outside the modules folder/);
    expect(() => bindPuppet({ manifest: 'manifests/site.pp' })).toThrow(`invalid provisioners[0].manifest 'manifests/site.pp': no file manifests/site.pp inside ${CODE}`);
    expect(() => bindPuppet({ manifest: path.join(CODE, 'site.pp') }).bound).not.toThrow();
    expect(() => bindPuppet({ hieraConfig: 'hiera.yml' })).toThrow(/provisioners\[0\]\.hieraConfig 'hiera\.yml': no file hiera\.yml inside/);
  });

  test('bad versions and fact names are refused', () => {
    expect(() => bindPuppet({ puppetVersion: 'v8' })).toThrow(/provisioners\[0\]\.puppetVersion 'v8': a version is a major version, major\.minor or major\.minor\.patch/);
    expect(() => bindPuppet({ installPuppet: false, puppetVersion: '8' })).toThrow(/puppetVersion '8': puppetVersion picks the OpenVox to install, and installPuppet is false/);
    expect(() => bindPuppet({ installPuppet: false, keepInstalled: true })).toThrow(/keepInstalled true: keepInstalled applies to the OpenVox this provisioner installs, and installPuppet is false.*Remove keepInstalled/);
    expect(() => bindPuppet({ facts: { 'my-role': 'x' } })).toThrow(/provisioners\[0\]\.facts 'my-role': a fact name holds letters, digits and underscores/);
  });

  test('credentials in facts or in the code are refused', () => {
    expect(() => bindPuppet({ facts: { aws_secret_access_key: EXAMPLE_SECRET_ACCESS_KEY } }))
      .toThrow(/provisioners\[0\]\.facts\.aws_secret_access_key '\(value withheld\)': the variable holds an AWS secret access key/);
    const root = writeFiles(tempFolder('puppet-creds-'), { 'site.pp': 'notice("hi")\n', 'hieradata/common.yaml': `key: ${EXAMPLE_ACCESS_KEY_ID}\n` });
    expect(() => bindPuppet({ modules: root }))
      .toThrow(`provisioners[0].modules '(value withheld)': the file ${path.join(root, 'hieradata', 'common.yaml')} contains an AWS access key id on line 1`);
  });
});

/** The rendered bash for real, with a stand-in puppet that records its call and exits as told. */
describe('the rendered bash of a Puppet run runs', () => {
  function standIns(record: string): string {
    const bin = pathWithout(path.join(tempFolder('puppet-path-'), 'bin'), ['puppet', 'dpkg', 'rpm']);
    writeFiles(bin, {
      puppet: ['#!/bin/bash', '{ echo "puppet cwd=$PWD"; printf \'arg=%s\\n\' "$@"; env | grep ^FACTER_ | sort; '
        + `test -f motd/manifests/init.pp && echo "module present"; } >> '${record}'`, 'exit "${PUPPET_EXIT:-0}"'].join('\n') + '\n',
      dpkg: ['#!/bin/bash', `echo "dpkg $*" >> '${record}'`].join('\n') + '\n',
    });
    fs.chmodSync(path.join(bin, 'puppet'), 0o755);
    fs.chmodSync(path.join(bin, 'dpkg'), 0o755);
    return bin;
  }

  function run(puppetExit: number, installed: boolean) {
    const root = tempFolder('puppet-run-');
    const record = path.join(root, '..', `${path.basename(root)}-record.txt`);
    const bin = standIns(record);
    const bed = bindPuppet({ installPuppet: false, hieraConfig: 'hiera.yaml', facts: { role: 'web' } }, OsFamily.LINUX, root);
    const folder = path.join(root, `puppet-1-${bed.assets[0].assetHash.slice(0, 8)}`);
    if (installed) {
      fs.writeFileSync(`${folder}.installed`, '');
    }
    const result = runDocument(bed.document, stagedAssets(bed.app, bed.stack), { path: bin, env: { PUPPET_EXIT: String(puppetExit) } });
    return { result, folder, root, lines: fs.readFileSync(record, 'utf8').trim().split('\n') };
  }

  test('exit 2 (changes applied) is success; the code and the agent it installed are removed', () => {
    const { result, folder, root, lines } = run(2, true);
    expect(result).toMatchObject({ status: 0 });
    expect(result.stdout).toContain('puppet apply: changes applied');
    expect(lines).toEqual([
      `puppet cwd=${folder}`,
      'arg=apply', 'arg=--detailed-exitcodes', 'arg=--color=false', 'arg=--modulepath', `arg=${folder}`, 'arg=--hiera_config', `arg=${folder}/hiera.yaml`, `arg=${folder}/site.pp`,
      'FACTER_role=web',
      'module present',
      'dpkg -s openvox-agent', 'dpkg --purge openvox-agent openvox8-release',
    ]);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('exit 0 (no changes) is success; Puppet that was already there is left alone', () => {
    const { result, root, lines } = run(0, false);
    expect(result).toMatchObject({ status: 0 });
    expect(result.stdout).toContain('puppet apply: no changes');
    expect(lines.some(l => l.startsWith('dpkg'))).toBe(false);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test.each([4, 6, 1])('exit %i fails the step with the exit code, and still cleans up', code => {
    const { result, root } = run(code, false);
    expect(result).toMatchObject({ status: code, failedStep: 'puppet-1' });
    expect(result.stderr).toContain(`Provisioner.puppetApply 'puppet-1': puppet apply failed with exit code ${code} (4: resources failed, 6: changes and failures`);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('the install step keeps a Puppet that is already there', () => {
    const root = tempFolder('puppet-run-');
    const bin = standIns(path.join(root, 'record.txt'));
    const bed = bindPuppet({});
    const install = { schemaVersion: '1.0', phases: [{ name: 'build' as const, steps: [stepNamed(bed.document, 'puppet-1-install')] }] };
    const result = runDocument(install, new Map(), { path: bin });
    expect(result).toMatchObject({ status: 0 });
    expect(result.stdout).toMatch(/^Puppet is already installed/);
  });

  test('without puppet and installPuppet: false, the run step says so', () => {
    const root = tempFolder('puppet-run-');
    const bin = pathWithout(path.join(tempFolder('puppet-path-'), 'bin'), ['puppet']);
    const bed = bindPuppet({ installPuppet: false }, OsFamily.LINUX, root);
    const result = runDocument(bed.document, stagedAssets(bed.app, bed.stack), { path: bin });
    expect(result).toMatchObject({ status: 1, failedStep: 'puppet-1' });
    expect(result.stderr).toContain('Provisioner.puppetApply \'puppet-1\': puppet is not installed on the instance.');
  });
});
