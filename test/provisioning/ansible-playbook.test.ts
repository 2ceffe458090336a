import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import {
  commandsOf, EXAMPLE_ACCESS_KEY_ID, expectObjectGrants, EXAMPLE_SECRET_ACCESS_KEY, FIXTURES, kindTestBed, onlyPhaseSteps, PLACEHOLDER, stepNamed,
  tempFolder, validationErrors, writeFiles,
} from './kind-context';
import { pathWithout, runDocument, stagedAssets } from './run-steps';
import { OsFamily } from '../../src/common/os-family';
import { AnsiblePlaybook, AnsiblePlaybookProvisionerOptions } from '../../src/provisioning/ansible-playbook';

const SITE = path.join(FIXTURES, 'ansible-site');
const SINGLE = path.join(FIXTURES, 'ansible-single.yml');
const GALAXY = path.join(FIXTURES, 'galaxy-requirements.yml');

function bindAnsible(options: AnsiblePlaybookProvisionerOptions, osFamily = OsFamily.LINUX, workingDirectory = '/tmp') {
  const bed = kindTestBed({ osFamily, defaultName: 'ansible-1', workingDirectory });
  const bound = new AnsiblePlaybook(options).bind(bed.context);
  const assets = bed.scope.node.findAll().filter((c): c is s3assets.Asset => c instanceof s3assets.Asset);
  return { ...bed, bound, assets, document: bound.document!(PLACEHOLDER) };
}

describe('Provisioner.ansiblePlaybook with a folder', () => {
  test('install Ansible, download the zipped folder, unpack it and run playbook.yml against localhost', () => {
    const { bound, assets, document } = bindAnsible({ playbook: SITE });
    const stem = `ansible-1-${assets[0].assetHash.slice(0, 8)}`;
    expect(bound).toMatchObject({ name: 'ansible-1', platform: OsFamily.LINUX });
    expect(onlyPhaseSteps(document).map(s => `${s.name}:${s.action}`)).toEqual([
      'ansible-1-install:ExecuteBash', 'ansible-1-download:S3Download', 'ansible-1:ExecuteBash',
    ]);
    expect(stepNamed(document, 'ansible-1-download').inputs).toEqual([
      { source: `s3://placeholder/${assets[0].assetHash}`, destination: `/tmp/${stem}.zip`, overwrite: true },
    ]);
    const run = commandsOf(stepNamed(document, 'ansible-1'));
    expect(run).toContain(`  unzip -q -o '/tmp/${stem}.zip' -d '/tmp/${stem}'`);
    expect(run).toContain(`cd '/tmp/${stem}'`);
    expect(run).toContain('ansible-playbook -c local -i \'localhost,\' \'playbook.yml\'');
    expect(run[run.length - 1]).toBe(`rm -rf '/tmp/${stem}' '/tmp/${stem}.zip'`);
    expect(run.some(c => c.includes('ansible-galaxy'))).toBe(false);
    expect(validationErrors(document, OsFamily.LINUX)).toEqual([]);
  });

  test('the install step tries dnf, amazon-linux-extras / yum, apt-get, then pip, and fails clearly', () => {
    const install = commandsOf(stepNamed(bindAnsible({ playbook: SITE }).document, 'ansible-1-install')).join('\n');
    expect(install).toMatch(/command -v ansible-playbook .* exit 0/);
    expect(install).toContain('dnf install -y ansible || dnf install -y ansible-core');
    expect(install).toContain('amazon-linux-extras install -y ansible2');
    expect(install).toContain('apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends ansible');
    expect(install).toContain('/opt/ansible/bin/python -m pip install ansible-core');
    expect(install).toContain('Could not install Ansible with dnf, yum, apt-get or pip');
  });

  test('playbookFile, extra vars (sorted JSON, quoted for bash) and galaxy requirements inside the folder', () => {
    const { document, assets } = bindAnsible({
      playbook: SITE + '/',
      playbookFile: 'site.yml',
      extraVars: { site_title: 'O\'Neil\'s "site"', greeting: 'hello' },
      galaxyRequirements: 'requirements.yml',
      timeout: Duration.minutes(30),
    });
    expect(assets).toHaveLength(1);
    const run = commandsOf(stepNamed(document, 'ansible-1'));
    expect(run).toContain('ansible-galaxy install -r \'requirements.yml\'');
    expect(run).toContain('ansible-playbook -c local -i \'localhost,\' \'site.yml\' --extra-vars '
      + '\'{"greeting":"hello","site_title":"O\'\\\'\'Neil\'\\\'\'s \\"site\\""}\'');
    for (const step of onlyPhaseSteps(document)) {
      expect(step.timeoutSeconds).toBe(1800);
    }
  });

  test('galaxy requirements from a local file outside the folder are a second asset', () => {
    const { document, assets, stack } = bindAnsible({ playbook: SITE, galaxyRequirements: GALAXY });
    expect(assets).toHaveLength(2);
    const stem = `ansible-1-${assets[0].assetHash.slice(0, 8)}`;
    expect(stepNamed(document, 'ansible-1-download').inputs).toEqual([
      { source: `s3://placeholder/${assets[0].assetHash}`, destination: `/tmp/${stem}.zip`, overwrite: true },
      { source: `s3://placeholder/${assets[1].assetHash}`, destination: `/tmp/${stem}-requirements.yml`, overwrite: true },
    ]);
    expect(commandsOf(stepNamed(document, 'ansible-1'))).toContain(`ansible-galaxy install -r '/tmp/${stem}-requirements.yml'`);
    expectObjectGrants(stack, assets);
  });

  test('installAnsible: false leaves out the install step', () => {
    const { document } = bindAnsible({ playbook: SITE, installAnsible: false });
    expect(onlyPhaseSteps(document).map(s => s.name)).toEqual(['ansible-1-download', 'ansible-1']);
  });

  test('the build role may read the playbook object only', () => {
    const { stack, assets } = bindAnsible({ playbook: SITE });
    expectObjectGrants(stack, assets);
  });
});

describe('Provisioner.ansiblePlaybook with a single file', () => {
  test('the file is downloaded into its own folder and run there', () => {
    const { document, assets } = bindAnsible({ playbook: SINGLE, extraVars: { env: 'prod' } });
    const folder = `/tmp/ansible-1-${assets[0].assetHash.slice(0, 8)}`;
    expect(onlyPhaseSteps(document).map(s => s.name)).toEqual(['ansible-1-install', 'ansible-1-folder', 'ansible-1-download', 'ansible-1']);
    expect(commandsOf(stepNamed(document, 'ansible-1-folder'))).toEqual(['set -e', `rm -rf '${folder}'`, `mkdir -p '${folder}'`]);
    expect(stepNamed(document, 'ansible-1-download').inputs).toEqual([
      { source: `s3://placeholder/${assets[0].assetHash}`, destination: `${folder}/ansible-single.yml`, overwrite: true },
    ]);
    const run = commandsOf(stepNamed(document, 'ansible-1'));
    expect(run.some(c => c.includes('unzip'))).toBe(false);
    expect(run).toContain('ansible-playbook -c local -i \'localhost,\' \'ansible-single.yml\' --extra-vars \'{"env":"prod"}\'');
    expect(validationErrors(document, OsFamily.LINUX)).toEqual([]);
  });
});

describe('Provisioner.ansiblePlaybook validation', () => {
  test('Windows images are refused', () => {
    expect(() => bindAnsible({ playbook: SITE }, OsFamily.WINDOWS))
      .toThrow(/KindTest\/Image: invalid provisioners\[0\] 'Provisioner.ansiblePlaybook': .*needs Linux.*Use Provisioner\.powerShell\(\)/);
  });

  test('a missing playbook names the prop and the path', () => {
    const missing = path.join(FIXTURES, 'no-playbook.yml');
    expect(() => bindAnsible({ playbook: missing })).toThrow(`expected a local file or folder at ${missing}, found nothing`);
  });

  test('playbookFile must exist inside the folder', () => {
    expect(() => bindAnsible({ playbook: SITE, playbookFile: 'main.yml' }))
      .toThrow(`invalid provisioners[0].playbookFile 'main.yml': no playbook file main.yml inside ${SITE}`);
    expect(() => bindAnsible({ playbook: SITE, playbookFile: '../ansible-single.yml' })).toThrow(/no playbook file \.\.\/ansible-single\.yml inside/);
    const noDefault = writeFiles(tempFolder('ansible-nodefault-'), { 'site.yml': '- hosts: all\n' });
    expect(() => bindAnsible({ playbook: noDefault })).toThrow(/no playbook file playbook\.yml inside .*the default is 'playbook\.yml'/);
  });

  test('playbookFile is refused with a single-file playbook', () => {
    expect(() => bindAnsible({ playbook: SINGLE, playbookFile: 'x.yml' })).toThrow(/playbookFile picks a playbook inside a folder, and playbook is a file/);
  });

  test('galaxy requirements must exist', () => {
    expect(() => bindAnsible({ playbook: SITE, galaxyRequirements: 'collections.yml' }))
      .toThrow(/invalid provisioners\[0\]\.galaxyRequirements 'collections\.yml': expected a local file at .*collections\.yml, found nothing/);
  });

  test('credentials in extra vars or in the playbook files are refused', () => {
    expect(() => bindAnsible({ playbook: SITE, extraVars: { aws_secret_access_key: EXAMPLE_SECRET_ACCESS_KEY } }))
      .toThrow(/provisioners\[0\]\.extraVars\.aws_secret_access_key '\(value withheld\)': the variable holds an AWS secret access key/);
    const root = writeFiles(tempFolder('ansible-creds-'), {
      'playbook.yml': '- hosts: all\n  roles: [app]\n',
      'group_vars/all.yml': `app_name: demo\naws_access_key_id: ${EXAMPLE_ACCESS_KEY_ID}\n`,
    });
    expect(() => bindAnsible({ playbook: root }))
      .toThrow(new RegExp(`provisioners\\[0\\]\\.playbook '\\(value withheld\\)': the file ${path.join(root, 'group_vars', 'all.yml').replace(/[.+]/g, '\\$&')} contains an AWS access key id on line 2`));
  });

  test('extra var names must be Ansible variable names', () => {
    expect(() => bindAnsible({ playbook: SITE, extraVars: { 'site-title': 'x' } })).toThrow(/provisioners\[0\]\.extraVars 'site-title': an Ansible variable name/);
  });
});

/**
 * The run step for real: the zip is unpacked and stand-ins for ansible-playbook and
 * ansible-galaxy record how they were called (no real Ansible, no network).
 */
describe('the rendered bash of an Ansible run runs', () => {
  function stubs(record: string): string {
    const bin = tempFolder('ansible-stubs-');
    const stub = (name: string) => writeFiles(bin, {
      [name]: [
        '#!/bin/bash',
        `{ echo "${name} cwd=$PWD"; printf 'arg=%s\\n' "$@"; echo "roles=$ANSIBLE_ROLES_PATH lang=$LC_ALL";`
          + ` test -f roles/web/tasks/main.yml && echo "role files present"; } >> '${record}'`,
      ].join('\n'),
    });
    stub('ansible-playbook');
    stub('ansible-galaxy');
    fs.chmodSync(path.join(bin, 'ansible-playbook'), 0o755);
    fs.chmodSync(path.join(bin, 'ansible-galaxy'), 0o755);
    return bin;
  }

  test('unpacks the folder, installs galaxy requirements, runs the playbook with the extra vars, cleans up', () => {
    const root = tempFolder('ansible-run-');
    const record = path.join(root, 'record.txt');
    const bin = stubs(record);
    const bed = bindAnsible({
      playbook: SITE, galaxyRequirements: 'requirements.yml', extraVars: { greeting: 'it\'s "golden"', stage: 'prod' },
    }, OsFamily.LINUX, root);
    const document = { ...bed.document, phases: [{ ...bed.document.phases[0], steps: bed.document.phases[0].steps.filter(s => !s.name.endsWith('-install')) }] };
    const result = runDocument(document, stagedAssets(bed.app, bed.stack), { path: `${bin}:${process.env.PATH}` });
    expect(result).toMatchObject({ status: 0 });

    const folder = path.join(root, `ansible-1-${bed.assets[0].assetHash.slice(0, 8)}`);
    const lines = fs.readFileSync(record, 'utf8').trim().split('\n');
    expect(lines).toEqual([
      `ansible-galaxy cwd=${folder}`,
      'arg=install', 'arg=-r', 'arg=requirements.yml',
      `roles=${folder}/.galaxy/roles lang=C.UTF-8`,
      'role files present',
      `ansible-playbook cwd=${folder}`,
      'arg=-c', 'arg=local', 'arg=-i', 'arg=localhost,', 'arg=playbook.yml', 'arg=--extra-vars',
      'arg={"greeting":"it\'s \\"golden\\"","stage":"prod"}',
      `roles=${folder}/.galaxy/roles lang=C.UTF-8`,
      'role files present',
    ]);
    expect(JSON.parse(lines[13].slice('arg='.length))).toEqual({ greeting: 'it\'s "golden"', stage: 'prod' });
    expect(fs.readdirSync(root).sort()).toEqual(['record.txt']);
  });

  test('the install step keeps an Ansible that is already there', () => {
    const root = tempFolder('ansible-run-');
    const bin = stubs(path.join(root, 'record.txt'));
    const bed = bindAnsible({ playbook: SINGLE });
    const install = { schemaVersion: '1.0', phases: [{ name: 'build' as const, steps: [stepNamed(bed.document, 'ansible-1-install')] }] };
    const result = runDocument(install, new Map(), { path: `${bin}:${process.env.PATH}` });
    expect(result).toMatchObject({ status: 0 });
    expect(result.stdout).toMatch(/^Ansible is already installed/);
  });

  test('with no package manager, no python3 and no Ansible, install fails and says what to do', () => {
    const bin = pathWithout(path.join(tempFolder('ansible-path-'), 'bin'),
      ['ansible-playbook', 'dnf', 'yum', 'amazon-linux-extras', 'apt-get', 'python3', 'cloud-init']);
    const bed = bindAnsible({ playbook: SINGLE });
    const install = { schemaVersion: '1.0', phases: [{ name: 'build' as const, steps: [stepNamed(bed.document, 'ansible-1-install')] }] };
    const result = runDocument(install, new Map(), { path: bin });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Could not install Ansible with dnf, yum, apt-get or pip. Install it in an earlier provisioner and set installAnsible: false.');
  });

  test('without ansible-playbook and installAnsible: false, the run step says so', () => {
    const root = tempFolder('ansible-run-');
    const bin = pathWithout(path.join(tempFolder('ansible-path-'), 'bin'), ['ansible-playbook']);
    const bed = bindAnsible({ playbook: SINGLE, installAnsible: false }, OsFamily.LINUX, root);
    const result = runDocument(bed.document, stagedAssets(bed.app, bed.stack), { path: bin });
    expect(result).toMatchObject({ status: 1, failedStep: 'ansible-1' });
    expect(result.stderr).toMatch(/Provisioner\.ansiblePlaybook 'ansible-1': ansible-playbook is not installed on the instance/);
  });
});
