import * as fs from 'fs';
import * as path from 'path';
import { Duration, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import {
  commandsOf, EXAMPLE_ACCESS_KEY_ID, expectObjectGrants, EXAMPLE_SECRET_ACCESS_KEY, FAKE_PRIVATE_KEY, FIXTURES, fixtureWithModes, kindTestBed,
  onlyPhaseSteps, PLACEHOLDER, stepNamed, tempFolder, validationErrors, writeFiles,
} from './kind-context';
import { pathWithout, runDocument, stagedAssets } from './run-steps';
import { OsFamily } from '../../src/common/os-family';
import { FileProvisionerOptions, FileUpload, FOLDER_NESTS_WARNING, folderMode } from '../../src/provisioning/file-upload';
import { StepFailureAction } from '../../src/provisioning/step-options';

/** The site, with modes that do not depend on the umask of the checkout: the upload tests check them. */
const SITE = fixtureWithModes('site');
const APP_CONF = path.join(FIXTURES, 'app.conf');

function bindFile(options: FileProvisionerOptions, osFamily: OsFamily = OsFamily.LINUX, workingDirectory = '/tmp') {
  const bed = kindTestBed({ osFamily, defaultName: 'file-1', workingDirectory });
  const bound = new FileUpload(options).bind(bed.context);
  const document = bound.document!(PLACEHOLDER);
  const asset = bed.scope.node.findAll().find((c): c is s3assets.Asset => c instanceof s3assets.Asset)!;
  return { ...bed, bound, document, asset };
}

describe('Provisioner.file with a single file (Linux)', () => {
  test('to a full path: the folder is made, then S3Download writes the file there', () => {
    const { bound, document, asset } = bindFile({ source: APP_CONF, destination: '/etc/demo/app.conf' });
    expect(bound.name).toBe('file-1');
    expect(bound.platform).toBe(OsFamily.LINUX);
    expect(onlyPhaseSteps(document)).toEqual([
      { name: 'file-1-folder', action: 'ExecuteBash', inputs: { commands: ['set -e', 'mkdir -p \'/etc/demo\''] } },
      { name: 'file-1', action: 'S3Download', inputs: [{ source: `s3://placeholder/${asset.assetHash}`, destination: '/etc/demo/app.conf', overwrite: true }] },
    ]);
    expect(validationErrors(document, OsFamily.LINUX)).toEqual([]);
  });

  test('to a folder (trailing slash): the file keeps its name inside it', () => {
    const { document } = bindFile({ source: APP_CONF, destination: '/etc/demo/' });
    expect(commandsOf(stepNamed(document, 'file-1-folder'))).toEqual(['set -e', 'mkdir -p \'/etc/demo\'']);
    expect((stepNamed(document, 'file-1').inputs as any)[0].destination).toBe('/etc/demo/app.conf');
  });

  test('to a file at the root: no folder to make', () => {
    const { document } = bindFile({ source: APP_CONF, destination: '/' });
    expect(onlyPhaseSteps(document).map(s => s.action)).toEqual(['S3Download']);
    expect((stepNamed(document, 'file-1').inputs as any)[0].destination).toBe('/app.conf');
  });

  test('mode, owner and group become SetFilePermissions and SetFileOwner on the file', () => {
    const { document } = bindFile({ source: APP_CONF, destination: '/etc/demo/', mode: '0640', owner: 'nginx', group: 'nginx' });
    expect(stepNamed(document, 'file-1-mode')).toEqual({ name: 'file-1-mode', action: 'SetFilePermissions', inputs: [{ path: '/etc/demo/app.conf', permissions: '0640' }] });
    expect(stepNamed(document, 'file-1-owner')).toEqual({ name: 'file-1-owner', action: 'SetFileOwner', inputs: [{ path: '/etc/demo/app.conf', owner: 'nginx', group: 'nginx' }] });
    expect(validationErrors(document, OsFamily.LINUX)).toEqual([]);
  });

  test('owner alone leaves the group to AWSTOE (the owner\'s group)', () => {
    const { document } = bindFile({ source: APP_CONF, destination: '/etc/demo/', owner: '1000' });
    expect(stepNamed(document, 'file-1-owner').inputs).toEqual([{ path: '/etc/demo/app.conf', owner: '1000' }]);
  });

  test('step settings apply to every step of the provisioner', () => {
    const { document } = bindFile({
      name: 'conf',
      source: APP_CONF,
      destination: '/etc/demo/',
      mode: '644',
      timeout: Duration.minutes(5),
      maxAttempts: 3,
      onFailure: StepFailureAction.CONTINUE,
    });
    for (const step of onlyPhaseSteps(document)) {
      expect(step).toMatchObject({ timeoutSeconds: 300, maxAttempts: 3, onFailure: 'Continue' });
    }
    expect(onlyPhaseSteps(document).map(s => s.name)).toEqual(['conf-folder', 'conf', 'conf-mode']);
  });

  test('the build role may read that one object, and the real document points at it', () => {
    const { stack, app, bound, asset } = bindFile({ source: APP_CONF, destination: '/etc/demo/app.conf' });
    const real = stack.resolve(bound.document!(a => a.s3ObjectUrl));
    const download = real.phases[0].steps.find((s: any) => s.action === 'S3Download');
    expect(JSON.stringify(download.inputs[0].source)).toContain(asset.assetHash);
    expect(JSON.stringify(download.inputs[0].source)).toContain('cdk-hnb659fds-assets-123456789012-eu-west-1');

    expectObjectGrants(stack, [asset]);
    const staged = stagedAssets(app, stack);
    expect(fs.readFileSync(staged.get(asset.assetHash)!, 'utf8')).toBe(fs.readFileSync(APP_CONF, 'utf8'));
  });
});

describe('Provisioner.file with a folder (Linux)', () => {
  test('"site/" (trailing slash) unpacks the contents into the destination', () => {
    const { document, asset } = bindFile({ source: SITE + '/', destination: '/usr/share/nginx/html/' });
    const stem = `file-1-${asset.assetHash.slice(0, 8)}`;
    expect(stepNamed(document, 'file-1-download')).toEqual({
      name: 'file-1-download',
      action: 'S3Download',
      inputs: [{ source: `s3://placeholder/${asset.assetHash}`, destination: `/tmp/${stem}.zip`, overwrite: true }],
    });
    const commands = commandsOf(stepNamed(document, 'file-1'));
    expect(commands).toContain(`unzip -q -o '/tmp/${stem}.zip' -d '/tmp/${stem}'`.replace(/^/, '  '));
    expect(commands).toContain('mkdir -p \'/usr/share/nginx/html\'');
    expect(commands).toContain('if [ ${#entries[@]} -gt 0 ]; then cp -a "${entries[@]}" \'/usr/share/nginx/html/\'; fi');
    expect(commands[commands.length - 1]).toBe(`rm -rf '/tmp/${stem}' '/tmp/${stem}.zip'`);
    expect(validationErrors(document, OsFamily.LINUX)).toEqual([]);
  });

  test('"site" (no trailing slash) unpacks into destination/site', () => {
    const { document, asset } = bindFile({ source: SITE, destination: '/usr/share/nginx/html' });
    const stem = `file-1-${asset.assetHash.slice(0, 8)}`;
    const commands = commandsOf(stepNamed(document, 'file-1'));
    expect(commands).toContain(`  unzip -q -o '/tmp/${stem}.zip' -d '/tmp/${stem}/site'`);
    expect(commands).toContain('mkdir -p \'/usr/share/nginx/html\'');
  });

  test('a folder named without a trailing slash warns where its files will land, with the acknowledge id', () => {
    const nested = bindFile({ source: SITE, destination: '/var/www/html/' });
    const warnings = Annotations.fromStack(nested.stack).findWarning('/KindTest/Image', Match.anyValue());
    expect(warnings.map(w => w.entry.data)).toEqual([
      `provisioners[0].source: '${SITE}' has no trailing slash, so the folder itself is copied and its files land in /var/www/html/site/ `
      + '(Packer\'s rule). To copy its contents into /var/www/html, end source with a slash (\'site/\'); if /var/www/html/site is meant, '
      + `acknowledge this warning [ack: ${FOLDER_NESTS_WARNING}]`,
    ]);
    const contents = bindFile({ source: SITE + '/', destination: '/var/www/html/' });
    expect(Annotations.fromStack(contents.stack).findWarning('*', Match.anyValue())).toEqual([]);
    const windows = bindFile({ source: SITE, destination: 'C:\\inetpub\\wwwroot\\' }, OsFamily.WINDOWS, 'C:\\Windows\\Temp');
    expect(Annotations.fromStack(windows.stack).findWarning('/KindTest/Image', Match.anyValue())[0].entry.data)
      .toContain('its files land in C:\\inetpub\\wwwroot\\site\\ ');
  });

  test('mode applies to files, folders get it with search rights; owner and group with chown -R', () => {
    const { document } = bindFile({ source: SITE + '/', destination: '/srv/www/', mode: '0640', owner: 'www-data', group: 'www-data' });
    const commands = commandsOf(stepNamed(document, 'file-1'));
    expect(commands).toContain('  find "${entries[@]}" -type d -exec chmod 0750 {} +');
    expect(commands).toContain('  find "${entries[@]}" -type f -exec chmod 0640 {} +');
    expect(commands).toContain('  chown -R \'www-data:www-data\' "${entries[@]}"');
  });

  test('folder modes gain execute wherever the file mode grants read', () => {
    expect(folderMode('0644')).toBe('0755');
    expect(folderMode('600')).toBe('0700');
    expect(folderMode('0640')).toBe('0750');
    expect(folderMode('2750')).toBe('2750');
    expect(folderMode('0200')).toBe('0200');
  });

  test('the folder is one zip asset; the build role may read that object only', () => {
    const { stack, app, asset } = bindFile({ source: SITE + '/', destination: '/srv/www/' });
    expect(asset.isZipArchive).toBe(true);
    expectObjectGrants(stack, [asset]);
    expect(asset.s3ObjectKey).toMatch(/\.zip$/);
    const staged = stagedAssets(app, stack).get(asset.assetHash)!;
    expect(fs.readdirSync(staged).sort()).toEqual(['.hidden', 'bin', 'css', 'index.html']);
  });

  test('an empty folder is refused', () => {
    const empty = tempFolder('file-empty-');
    expect(() => bindFile({ source: empty, destination: '/srv/' })).toThrow(/provisioners\[0\]\.source .*holds no files.*Add the files/);
  });
});

describe('Provisioner.file on Windows', () => {
  test('a single file: the folder is made with PowerShell, then S3Download', () => {
    const { document, asset } = bindFile({ source: APP_CONF, destination: 'C:\\app\\' }, OsFamily.WINDOWS, 'C:\\build');
    expect(onlyPhaseSteps(document)).toEqual([
      {
        name: 'file-1-folder',
        action: 'ExecutePowerShell',
        inputs: { commands: ['$ErrorActionPreference = \'Stop\'', 'New-Item -ItemType Directory -Force -Path \'C:\\app\' | Out-Null'] },
      },
      { name: 'file-1', action: 'S3Download', inputs: [{ source: `s3://placeholder/${asset.assetHash}`, destination: 'C:\\app\\app.conf', overwrite: true }] },
    ]);
    expect(validationErrors(document, OsFamily.WINDOWS)).toEqual([]);
  });

  test('"site/" expands into the destination, "site" into destination\\site', () => {
    const slash = bindFile({ source: SITE + '/', destination: 'C:\\inetpub\\wwwroot\\' }, OsFamily.WINDOWS, 'C:\\build');
    const zip = `C:\\build\\file-1-${slash.asset.assetHash.slice(0, 8)}.zip`;
    expect(commandsOf(stepNamed(slash.document, 'file-1'))).toEqual([
      '$ErrorActionPreference = \'Stop\'',
      'New-Item -ItemType Directory -Force -Path \'C:\\inetpub\\wwwroot\' | Out-Null',
      `Expand-Archive -LiteralPath '${zip}' -DestinationPath 'C:\\inetpub\\wwwroot' -Force`,
      `Remove-Item -LiteralPath '${zip}' -Force`,
    ]);
    expect(validationErrors(slash.document, OsFamily.WINDOWS)).toEqual([]);

    const noSlash = bindFile({ source: SITE, destination: 'C:\\inetpub\\wwwroot' }, OsFamily.WINDOWS, 'C:\\build');
    expect(commandsOf(stepNamed(noSlash.document, 'file-1'))).toContain(
      `Expand-Archive -LiteralPath '${zip}' -DestinationPath 'C:\\inetpub\\wwwroot\\site' -Force`);
  });

  test.each([
    ['mode', { mode: '0644' }],
    ['owner', { owner: 'Administrator' }],
    ['group', { group: 'Administrators' }],
  ])('%s is refused on Windows, with what to do instead', (prop, extra) => {
    expect(() => bindFile({ source: APP_CONF, destination: 'C:\\app\\', ...extra }, OsFamily.WINDOWS))
      .toThrow(new RegExp(`KindTest/Image: invalid provisioners\\[0\\]\\.${prop} .*Linux-only.*icacls`));
  });

  test('a Linux path is refused as a Windows destination', () => {
    expect(() => bindFile({ source: APP_CONF, destination: '/etc/app/' }, OsFamily.WINDOWS))
      .toThrow(/invalid provisioners\[0\]\.destination '\/etc\/app\/': the destination must be an absolute Windows path.*drive letter/);
  });
});

describe('Provisioner.file validation', () => {
  test('a missing source names the prop and the resolved path', () => {
    const missing = path.join(FIXTURES, 'no-such-file.conf');
    expect(() => bindFile({ source: missing, destination: '/etc/' }))
      .toThrow(`KindTest/Image: invalid provisioners[0].source '${missing.length > 80 ? missing.slice(0, 77) + '...' : missing}': expected a local file or folder at ${missing}, found nothing`);
  });

  test.each(['etc/app.conf', 'C:\\app\\app.conf', ''])('destination %p is refused on Linux', destination => {
    expect(() => bindFile({ source: APP_CONF, destination })).toThrow(/invalid provisioners\[0\]\.destination/);
  });

  test('a token destination is refused: it decides the steps', () => {
    expect(() => bindFile({ source: APP_CONF, destination: Token.asString({ Ref: 'Dest' }) }))
      .toThrow(/destination \(a token\): the destination must be known at synth time/);
  });

  test.each(['rw-r--r--', '0999', '64', '10644'])('mode %p is refused', mode => {
    expect(() => bindFile({ source: APP_CONF, destination: '/etc/', mode }))
      .toThrow(new RegExp(`invalid provisioners\\[0\\]\\.mode '${mode}': a mode is three or four octal digits`));
  });

  test('a token mode is refused (the folder mode is derived from it)', () => {
    expect(() => bindFile({ source: APP_CONF, destination: '/etc/', mode: Token.asString({ Ref: 'Mode' }) }))
      .toThrow(/mode \(a token\): the mode must be known at synth time/);
  });

  test('owner and group must look like accounts, and a group needs an owner', () => {
    expect(() => bindFile({ source: APP_CONF, destination: '/etc/', owner: 'root; rm -rf /' })).toThrow(/invalid provisioners\[0\]\.owner/);
    expect(() => bindFile({ source: APP_CONF, destination: '/etc/', group: 'wheel' }))
      .toThrow(/invalid provisioners\[0\]\.group 'wheel': a group needs an owner.*Set owner too/);
  });

  test('a bad name is refused by the shared name check', () => {
    expect(() => bindFile({ name: 'my file', source: APP_CONF, destination: '/etc/' })).toThrow(/invalid provisioners\[0\]\.name 'my file'/);
  });
});

describe('Provisioner.file refuses credentials in what it uploads', () => {
  test('an access key id in a nested file names that file', () => {
    const root = writeFiles(tempFolder('file-creds-'), {
      'index.html': '<p>ok</p>',
      'config/.env': `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${EXAMPLE_ACCESS_KEY_ID}\n`,
    });
    expect(() => bindFile({ source: root + '/', destination: '/srv/' }))
      .toThrow(new RegExp(`invalid provisioners\\[0\\]\\.source '\\(value withheld\\)': the file ${escape(path.join(root, 'config', '.env'))} contains an AWS access key id on line 2.*instance role`));
  });

  test('a secret access key in a single file', () => {
    const root = writeFiles(tempFolder('file-creds-'), { credentials: `[default]\naws_secret_access_key = ${EXAMPLE_SECRET_ACCESS_KEY}\n` });
    expect(() => bindFile({ source: path.join(root, 'credentials'), destination: '/root/.aws/' }))
      .toThrow(/the file .*credentials contains an AWS secret access key on line 2/);
  });

  test('a private key block', () => {
    const root = writeFiles(tempFolder('file-creds-'), { 'tls/server.key': FAKE_PRIVATE_KEY });
    expect(() => bindFile({ source: root, destination: '/etc/' })).toThrow(/tls\/server\.key contains a private key block on line 1/);
  });

  test('binary files and files above the scan limit are not read', () => {
    const binary = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]), Buffer.from(EXAMPLE_ACCESS_KEY_ID)]);
    const large = 'x'.repeat(1024 * 1024) + `\n${EXAMPLE_ACCESS_KEY_ID}\n`;
    const root = writeFiles(tempFolder('file-binary-'), { 'logo.png': binary, 'big.log': large, 'index.html': '<p>ok</p>' });
    expect(() => bindFile({ source: root + '/', destination: '/srv/' })).not.toThrow();
  });
});

/**
 * The extraction, mode and ownership commands, run for real in a temporary folder: the asset
 * is zipped as CDK uploads it and copied where S3Download would put it.
 */
describe('the rendered bash of a folder upload runs', () => {
  function runUpload(options: Omit<FileProvisionerOptions, 'destination'>, destinationSuffix: string, runPath?: string) {
    const root = tempFolder('file-run-');
    const work = path.join(root, 'work');
    fs.mkdirSync(work);
    const destination = path.join(root, 'dest') + destinationSuffix;
    const bed = bindFile({ ...options, destination }, OsFamily.LINUX, work);
    const result = runDocument(bed.document, stagedAssets(bed.app, bed.stack), { path: runPath });
    return { root, work, dest: path.join(root, 'dest'), result };
  }

  function tree(folder: string): string[] {
    const out: string[] = [];
    const walk = (dir: string, prefix: string) => {
      for (const name of fs.readdirSync(dir).sort()) {
        const full = path.join(dir, name);
        const rel = prefix + name;
        if (fs.statSync(full).isDirectory()) {
          out.push(rel + '/');
          walk(full, rel + '/');
        } else {
          out.push(rel);
        }
      }
    };
    walk(folder, '');
    return out;
  }

  const SITE_TREE = ['.hidden', 'bin/', 'bin/tool.sh', 'css/', 'css/style.css', 'index.html'];

  test('"site/" into an existing folder: contents merged, what was there kept, the folder itself untouched', () => {
    const root = tempFolder('file-run-');
    const dest = writeFiles(path.join(root, 'dest'), { 'keep.txt': 'already here' });
    fs.chmodSync(dest, 0o711);
    fs.mkdirSync(path.join(root, 'work'));
    const bed = bindFile({ source: SITE + '/', destination: dest + '/' }, OsFamily.LINUX, path.join(root, 'work'));
    const result = runDocument(bed.document, stagedAssets(bed.app, bed.stack));
    expect(result).toMatchObject({ status: 0 });
    expect(tree(dest)).toEqual(['.hidden', 'bin/', 'bin/tool.sh', 'css/', 'css/style.css', 'index.html', 'keep.txt']);
    expect(fs.readFileSync(path.join(dest, 'index.html'), 'utf8')).toBe(fs.readFileSync(path.join(SITE, 'index.html'), 'utf8'));
    expect(permissions(dest)).toBe(0o711);
    // unzip keeps the modes the zip records: the script stays executable.
    expect(permissions(path.join(dest, 'bin', 'tool.sh'))).toBe(0o755);
    // Staging folder and zip are cleaned up.
    expect(fs.readdirSync(path.join(root, 'work'))).toEqual([]);
  });

  test('"site" creates destination/site', () => {
    const { dest, result, work } = runUpload({ source: SITE }, '');
    expect(result).toMatchObject({ status: 0 });
    expect(tree(dest)).toEqual(['site/', ...SITE_TREE.map(p => `site/${p}`)]);
    expect(fs.readdirSync(work)).toEqual([]);
  });

  test('mode and owner apply to what was uploaded, folders stay traversable', () => {
    const { dest, result } = runUpload({ source: SITE, mode: '0640', owner: 'root', group: 'root' }, '/');
    expect(result).toMatchObject({ status: 0 });
    expect(permissions(path.join(dest, 'site'))).toBe(0o750);
    expect(permissions(path.join(dest, 'site', 'css'))).toBe(0o750);
    expect(permissions(path.join(dest, 'site', 'index.html'))).toBe(0o640);
    expect(permissions(path.join(dest, 'site', 'bin', 'tool.sh'))).toBe(0o640);
    expect(fs.statSync(path.join(dest, 'site', 'index.html')).uid).toBe(0);
  });

  test('without unzip, python3 extracts and keeps the modes', () => {
    const bin = pathWithout(path.join(tempFolder('file-path-'), 'bin'), ['unzip']);
    const { dest, result } = runUpload({ source: SITE + '/' }, '/', bin);
    expect(result).toMatchObject({ status: 0 });
    expect(tree(dest)).toEqual(SITE_TREE);
    expect(permissions(path.join(dest, 'bin', 'tool.sh'))).toBe(0o755);
  });

  test('without unzip and python3 the step fails and says what to install', () => {
    const bin = pathWithout(path.join(tempFolder('file-path-'), 'bin'), ['unzip', 'python3']);
    const { result } = runUpload({ source: SITE + '/' }, '/', bin);
    expect(result.status).toBe(1);
    expect(result.failedStep).toBe('file-1');
    expect(result.stderr).toMatch(/Provisioner\.file 'file-1': cannot extract .*neither unzip nor python3 is installed.*dnf install -y unzip/);
  });
});

/** Permission bits (with setuid, setgid and sticky) of a path. */
function permissions(file: string): number {
  return fs.statSync(file).mode % 0o10000;
}

function escape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
