import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import {
  commandsOf, EXAMPLE_ACCESS_KEY_ID, EXAMPLE_SECRET_ACCESS_KEY, expectObjectGrants, FIXTURES, kindTestBed, onlyPhaseSteps, PLACEHOLDER, stepNamed,
  tempFolder, validationErrors, writeFiles,
} from './kind-context';
import { pathWithout, runDocument, stagedAssets } from './run-steps';
import { OsFamily } from '../../src/common/os-family';
import { ChefSolo, ChefSoloProvisionerOptions } from '../../src/provisioning/chef-solo';
import { ImageComponent } from '../../src/provisioning/image-component';

const COOKBOOKS = path.join(FIXTURES, 'chef-cookbooks');

function bindChef(options: Partial<ChefSoloProvisionerOptions>, osFamily = OsFamily.LINUX, workingDirectory = '/tmp') {
  const bed = kindTestBed({ osFamily, defaultName: 'chef-1', workingDirectory });
  const bound = new ChefSolo({ cookbooks: COOKBOOKS, runList: ['recipe[web]'], ...options }).bind(bed.context);
  const assets = bed.scope.node.findAll().filter((c): c is s3assets.Asset => c instanceof s3assets.Asset);
  return { ...bed, bound, assets, document: bound.document!(PLACEHOLDER) };
}

function onlyStep(document: ReturnType<typeof bindChef>['document'], name: string) {
  return { schemaVersion: '1.0', phases: [{ name: 'build' as const, steps: [stepNamed(document, name)] }] };
}

describe('Provisioner.chefSolo on Linux', () => {
  test('installs Cinc Client, downloads the cookbooks, runs chef-solo with the run list and attributes', () => {
    const { bound, assets, document, stack } = bindChef({ json: { web: { owner: 'platform' } }, runList: ['web::default', 'role[base]'] });
    const stem = `/tmp/chef-1-${assets[0].assetHash.slice(0, 8)}`;
    expect(bound).toMatchObject({ name: 'chef-1', platform: OsFamily.LINUX });
    expect(onlyPhaseSteps(document).map(s => `${s.name}:${s.action}`)).toEqual(['chef-1-install:ExecuteBash', 'chef-1-download:S3Download', 'chef-1:ExecuteBash']);
    expect(stepNamed(document, 'chef-1-download').inputs).toEqual([{ source: `s3://placeholder/${assets[0].assetHash}`, destination: `${stem}.zip`, overwrite: true }]);
    const install = commandsOf(stepNamed(document, 'chef-1-install'));
    expect(install).toContain(`  curl -fsSL --retry 3 -o '${stem}-install.sh' 'https://omnitruck.cinc.sh/install.sh'`);
    expect(install).toContain(`bash '${stem}-install.sh' -P cinc -v '18'`);
    const run = commandsOf(stepNamed(document, 'chef-1'));
    expect(run).toContain(`printf '%s\\n' '{"web":{"owner":"platform"},"run_list":["recipe[web::default]","role[base]"]}' > '${stem}/attributes.json'`);
    expect(run).toContain(`"$solo" --config '${stem}/solo.rb' --json-attributes '${stem}/attributes.json' --no-color`);
    expect(run).toContain(`rm -rf '${stem}' '${stem}.zip'`);
    expect(validationErrors(document, OsFamily.LINUX)).toEqual([]);
    expectObjectGrants(stack, assets);
  });

  test('a pinned version and an installer checksum are in the install step', () => {
    const sha = 'ab'.repeat(32);
    const install = commandsOf(stepNamed(bindChef({ chefVersion: '18.8.11', installerSha256: sha.toUpperCase() }).document, 'chef-1-install'));
    expect(install.some(c => c.includes('-P cinc -v \'18.8.11\''))).toBe(true);
    expect(install.find(c => c.includes('sha256sum'))).toMatch(new RegExp(`^echo '${sha}  /tmp/chef-1-[0-9a-f]{8}-install\\.sh' \\| sha256sum -c -$`));
  });

  test('installChef: false leaves out the install step; installCommand replaces the Cinc script', () => {
    expect(onlyPhaseSteps(bindChef({ installChef: false }).document).map(s => s.name)).toEqual(['chef-1-download', 'chef-1']);
    const custom = bindChef({ installCommand: ['dnf install -y chef'] }).document;
    expect(commandsOf(stepNamed(custom, 'chef-1-install'))).toEqual(['set -e', 'dnf install -y chef']);
  });

  test('keepInstalled: true keeps the client; by default the run step removes what the install step installed', () => {
    const removes = (doc: ReturnType<typeof bindChef>['document']) => commandsOf(stepNamed(doc, 'chef-1')).some(c => c.includes('dpkg --purge cinc'));
    expect(removes(bindChef({}).document)).toBe(true);
    expect(removes(bindChef({ keepInstalled: true }).document)).toBe(false);
  });

  test('the cookbooks, run list, attributes and version are hashed into the component version', () => {
    const version = (options: Partial<ChefSoloProvisionerOptions>) => {
      const bed = bindChef(options);
      return new ImageComponent(bed.stack, 'Component', { provisioner: bed.bound, componentName: 'chef', prop: 'provisioners[0]', owner: bed.scope }).identity;
    };
    const base = version({});
    expect(version({})).toBe(base);
    expect(version({ runList: ['recipe[web::default]'] })).not.toBe(base);
    expect(version({ json: { web: { owner: 'x' } } })).not.toBe(base);
    expect(version({ chefVersion: '17' })).not.toBe(base);
    const copy = writeFiles(tempFolder('chef-copy-'), { 'web/recipes/default.rb': 'log "changed"\n' });
    expect(version({ cookbooks: copy })).not.toBe(base);
  });
});

describe('Provisioner.chefSolo on Windows', () => {
  test('installs Cinc with install.ps1, runs cinc-solo from its folder, removes the MSI it installed', () => {
    const { bound, document, assets } = bindChef({ installerSha256: 'cd'.repeat(32) }, OsFamily.WINDOWS, 'C:\\Build');
    const stem = `C:\\Build\\chef-1-${assets[0].assetHash.slice(0, 8)}`;
    expect(bound.platform).toBe(OsFamily.WINDOWS);
    expect(onlyPhaseSteps(document).map(s => `${s.name}:${s.action}`)).toEqual(['chef-1-install:ExecutePowerShell', 'chef-1-download:S3Download', 'chef-1:ExecutePowerShell']);
    const install = commandsOf(stepNamed(document, 'chef-1-install'));
    expect(install).toContain(`Invoke-WebRequest -UseBasicParsing -Uri 'https://omnitruck.cinc.sh/install.ps1' -OutFile '${stem}-install.ps1'`);
    expect(install.some(c => c.includes(`-ne '${'CD'.repeat(32)}'`))).toBe(true);
    expect(install).toContain('install -project cinc -version \'18\'');
    const run = commandsOf(stepNamed(document, 'chef-1'));
    expect(run).toContain(`Expand-Archive -LiteralPath '${stem}.zip' -DestinationPath '${stem}\\cookbooks' -Force`);
    expect(run).toContain(`& $solo.Source --config '${stem}\\solo.rb' --json-attributes '${stem}\\attributes.json' --no-color`);
    expect(run.some(c => c.includes('Invoke-CimMethod -MethodName Uninstall'))).toBe(true);
    expect(run[run.length - 1]).toBe('if ($status) { exit $status }');
    expect(validationErrors(document, OsFamily.WINDOWS)).toEqual([]);
  });
});

describe('Provisioner.chefSolo validation', () => {
  test('a missing cookbooks folder, or a file, names the prop and the path', () => {
    const missing = path.join(FIXTURES, 'no-cookbooks');
    expect(() => bindChef({ cookbooks: missing })).toThrow(`KindTest/Image: invalid provisioners[0].cookbooks '${missing}': expected a local folder at ${missing}, found nothing`);
    expect(() => bindChef({ cookbooks: path.join(FIXTURES, 'app.conf') })).toThrow(/expected a local folder at .*app\.conf, found a file/);
  });

  test('an empty run list, a malformed entry and a cookbook that is not in the folder are refused', () => {
    expect(() => bindChef({ runList: [] })).toThrow(/invalid provisioners\[0\]\.runList \[\]: the run list is empty.*runList: \['recipe\[web\]'\]/);
    expect(() => bindChef({ runList: ['recipe[web'] })).toThrow(/invalid provisioners\[0\]\.runList\[0\] 'recipe\[web': a run-list entry is/);
    expect(() => bindChef({ runList: ['recipe[web]', 'db::primary'] }))
      .toThrow(`invalid provisioners[0].runList[1] 'db::primary': there is no cookbook db in ${COOKBOOKS}`);
  });

  test('bad versions and checksums are refused', () => {
    expect(() => bindChef({ chefVersion: 'latest' })).toThrow(/provisioners\[0\]\.chefVersion 'latest': a version is a major version.*e\.g\. '18\.8\.11'/);
    expect(() => bindChef({ chefVersion: '18.x' })).toThrow(/chefVersion '18\.x'/);
    expect(() => bindChef({ installerSha256: 'abc' })).toThrow(/installerSha256 'abc': a SHA-256 checksum is 64 hexadecimal characters/);
    expect(() => bindChef({ installChef: false, installCommand: ['x'] })).toThrow(/installCommand \["x"\]: installCommand is never run with installChef: false/);
    expect(() => bindChef({ installChef: false, chefVersion: '18' })).toThrow(/chefVersion '18': chefVersion applies to the Cinc install script, which installChef: false replaces/);
    expect(() => bindChef({ installCommand: ['x'], installerSha256: 'a'.repeat(64) })).toThrow(/installerSha256 'a+': installerSha256 applies to the Cinc install script, which installCommand replaces/);
    // Nothing the user set is dropped: keepInstalled would mean nothing with their own install.
    expect(() => bindChef({ installCommand: ['x'], keepInstalled: true })).toThrow(/keepInstalled true: keepInstalled applies to the Cinc Client this provisioner installs, and with installCommand it installs none.*Remove keepInstalled/);
    expect(() => bindChef({ installChef: false, keepInstalled: false })).toThrow(/keepInstalled false: .*with installChef: false it installs none/);
    expect(() => bindChef({ json: { run_list: ['recipe[web]'] } })).toThrow(/json\.run_list .*the run list is given in runList/);
  });

  test('credentials in the attributes or in the cookbooks are refused', () => {
    expect(() => bindChef({ json: { aws: { aws_secret_access_key: EXAMPLE_SECRET_ACCESS_KEY } } }))
      .toThrow(/provisioners\[0\]\.json '\(value withheld\)': the attributes JSON contains an AWS secret access key on line 3/);
    const root = writeFiles(tempFolder('chef-creds-'), { 'web/attributes/default.rb': `default['key'] = '${EXAMPLE_ACCESS_KEY_ID}'\n` });
    expect(() => bindChef({ cookbooks: root }))
      .toThrow(`provisioners[0].cookbooks '(value withheld)': the file ${path.join(root, 'web', 'attributes', 'default.rb')} contains an AWS access key id on line 1`);
  });
});

/** The rendered bash for real, with stand-ins for curl, the Cinc installer, cinc-solo and dpkg. */
describe('the rendered bash of a Chef run runs', () => {
  function standIns(record: string): string {
    const bin = pathWithout(path.join(tempFolder('chef-path-'), 'bin'), ['cinc-solo', 'chef-solo', 'cloud-init', 'curl', 'dpkg', 'rpm']);
    const solo = [
      '#!/bin/bash',
      '{ echo "cinc-solo cwd=$PWD"; printf \'arg=%s\\n\' "$@"; [ "$1" = --version ] && exit 0; cat "$2"; cat "$4"; '
        + `test -f "$(dirname "$2")/cookbooks/web/recipes/default.rb" && echo "cookbook present"; } >> '${record}'`,
      'exit "${SOLO_EXIT:-0}"',
    ];
    // The fake installer puts cinc-solo on PATH, as the Cinc package links it into /usr/bin.
    const installer = ['#!/bin/bash', `printf 'installer arg=%s\\n' "$@" >> '${record}'`, `cat > '${bin}/cinc-solo' <<'SOLO'`, ...solo, 'SOLO', `chmod 755 '${bin}/cinc-solo'`];
    fs.rmSync(path.join(bin, 'curl'), { force: true });
    writeFiles(bin, {
      curl: ['#!/bin/bash', `echo "curl $*" >> '${record}'`, 'while [ $# -gt 0 ]; do if [ "$1" = -o ]; then out=$2; fi; shift; done', 'cat > "$out" <<\'INSTALLER\'', ...installer, 'INSTALLER'].join('\n') + '\n',
      dpkg: ['#!/bin/bash', `echo "dpkg $*" >> '${record}'`].join('\n') + '\n',
    });
    fs.chmodSync(path.join(bin, 'curl'), 0o755);
    fs.chmodSync(path.join(bin, 'dpkg'), 0o755);
    return bin;
  }

  test('install (checksum checked), unpack, run with the generated solo.rb and attributes, remove all it installed', () => {
    const root = tempFolder('chef-run-');
    const record = path.join(root, '..', `${path.basename(root)}-record.txt`);
    const bin = standIns(record);
    // The checksum of what the stand-in curl writes: compute it from a dry download.
    spawnCurl(bin, path.join(root, 'probe.sh'));
    const sha = createHash('sha256').update(fs.readFileSync(path.join(root, 'probe.sh'))).digest('hex');
    fs.rmSync(path.join(root, 'probe.sh'));
    fs.writeFileSync(record, '');
    const bed = bindChef({ chefVersion: '18.8.11', installerSha256: sha, json: { web: { owner: 'it\'s me' } } }, OsFamily.LINUX, root);
    const result = runDocument(bed.document, stagedAssets(bed.app, bed.stack), { path: bin });
    expect(result).toMatchObject({ status: 0 });

    const folder = path.join(root, `chef-1-${bed.assets[0].assetHash.slice(0, 8)}`);
    const lines = fs.readFileSync(record, 'utf8').trim().split('\n');
    expect(lines).toEqual([
      `curl -fsSL --retry 3 -o ${folder}-install.sh https://omnitruck.cinc.sh/install.sh`,
      'installer arg=-P', 'installer arg=cinc', 'installer arg=-v', 'installer arg=18.8.11',
      `cinc-solo cwd=${process.cwd()}`, 'arg=--version',
      `cinc-solo cwd=${folder}`,
      'arg=--config', `arg=${folder}/solo.rb`, 'arg=--json-attributes', `arg=${folder}/attributes.json`, 'arg=--no-color',
      `chef_repo_path "${folder}"`, `cookbook_path ["${folder}/cookbooks"]`, `file_cache_path "${folder}/cache"`,
      '{"web":{"owner":"it\'s me"},"run_list":["recipe[web]"]}',
      'cookbook present',
      'dpkg -s cinc', 'dpkg --purge cinc',
    ]);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('a downloaded installer that does not match installerSha256 fails the install step before it runs', () => {
    const root = tempFolder('chef-run-');
    const record = path.join(root, '..', `${path.basename(root)}-record.txt`);
    const bin = standIns(record);
    const bed = bindChef({ installerSha256: '0'.repeat(64) }, OsFamily.LINUX, root);
    const result = runDocument(onlyStep(bed.document, 'chef-1-install'), new Map(), { path: bin });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/sha256sum: WARNING: 1 computed checksum did NOT match/);
    expect(fs.readFileSync(record, 'utf8')).not.toContain('installer arg');
  });

  test('a Chef already on the image is kept, and the run step leaves it installed', () => {
    const root = tempFolder('chef-run-');
    const record = path.join(root, '..', `${path.basename(root)}-record.txt`);
    const bin = standIns(record);
    spawnCurl(bin, path.join(root, 'installer.sh'));
    runInstaller(bin, path.join(root, 'installer.sh'));
    fs.rmSync(path.join(root, 'installer.sh'));
    fs.writeFileSync(record, '');
    const bed = bindChef({}, OsFamily.LINUX, root);
    const result = runDocument(bed.document, stagedAssets(bed.app, bed.stack), { path: bin });
    expect(result).toMatchObject({ status: 0 });
    expect(result.stdout).toMatch(/^Chef is already installed/);
    expect(fs.readFileSync(record, 'utf8')).not.toMatch(/curl|dpkg/);
  });

  test('a failing chef-solo fails the step', () => {
    const root = tempFolder('chef-run-');
    const bin = standIns(path.join(root, '..', `${path.basename(root)}-record.txt`));
    const bed = bindChef({}, OsFamily.LINUX, root);
    const result = runDocument(bed.document, stagedAssets(bed.app, bed.stack), { path: bin, env: { SOLO_EXIT: '1' } });
    expect(result).toMatchObject({ status: 1, failedStep: 'chef-1' });
  });

  test('without chef-solo and installChef: false, the run step says so', () => {
    const root = tempFolder('chef-run-');
    const bin = standIns(path.join(root, '..', `${path.basename(root)}-record.txt`));
    const bed = bindChef({ installChef: false }, OsFamily.LINUX, root);
    const result = runDocument(bed.document, stagedAssets(bed.app, bed.stack), { path: bin });
    expect(result).toMatchObject({ status: 1, failedStep: 'chef-1' });
    expect(result.stderr).toContain('Provisioner.chefSolo \'chef-1\': neither cinc-solo nor chef-solo is installed on the instance.');
  });
});

function spawnCurl(bin: string, out: string): void {
  execFileSync(path.join(bin, 'curl'), ['-o', out, 'https://omnitruck.cinc.sh/install.sh'], { env: { PATH: bin } });
}

function runInstaller(bin: string, script: string): void {
  execFileSync('bash', [script], { env: { PATH: bin } });
}
