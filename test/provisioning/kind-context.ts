import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { OsFamily } from '../../src/common/os-family';
import { AssetLocator, ProvisionerBindContext } from '../../src/provisioning/provisioner-kind';
import { ToeDocument, ToeStep } from '../../src/provisioning/toe/component-document';
import { validateComponentDocument } from '../../src/provisioning/toe/validate';

/**
 * What the provisioner-kind tests bind with: a stack, a construct standing in for the image,
 * and a role standing in for the build instance role.
 */
export interface KindTestBed {
  readonly app: App;
  readonly stack: Stack;
  readonly scope: Construct;
  readonly role: iam.Role;
  readonly context: ProvisionerBindContext;
}

export interface KindTestBedOptions {
  readonly osFamily?: OsFamily;
  readonly phase?: ProvisionerBindContext['phase'];
  readonly defaultName?: string;
  readonly workingDirectory?: string;
  /** @default the working directory */
  readonly scriptDirectory?: string;
  readonly prop?: string;
}

export function kindTestBed(options: KindTestBedOptions = {}): KindTestBed {
  const app = new App();
  const stack = new Stack(app, 'KindTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const scope = new Construct(stack, 'Image');
  const role = new iam.Role(stack, 'BuildRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  return {
    app,
    stack,
    scope,
    role,
    context: {
      scope,
      phase: options.phase ?? 'build',
      osFamily: options.osFamily ?? OsFamily.LINUX,
      prop: options.prop ?? 'provisioners[0]',
      defaultName: options.defaultName ?? 'kind-1',
      workingDirectory: options.workingDirectory ?? '/tmp',
      scriptDirectory: options.scriptDirectory ?? options.workingDirectory ?? '/tmp',
      assetReader: role,
    },
  };
}

/** The locator the tests render documents with: the asset's content hash in a fake bucket. */
export const PLACEHOLDER: AssetLocator = (asset: s3assets.Asset) => `s3://placeholder/${asset.assetHash}`;

/** The steps of the only phase of a document. */
export function onlyPhaseSteps(document: ToeDocument): ToeStep[] {
  expect(document.phases).toHaveLength(1);
  return document.phases[0].steps;
}

/** A step by name, failing the test when it is missing. */
export function stepNamed(document: ToeDocument, name: string): ToeStep {
  const step = document.phases.flatMap(p => p.steps).find(s => s.name === name);
  if (!step) {
    throw new Error(`no step ${name} in ${document.phases.flatMap(p => p.steps).map(s => s.name).join(', ')}`);
  }
  return step;
}

/** The bash or PowerShell lines of an Execute* step. */
export function commandsOf(step: ToeStep): string[] {
  return (step.inputs as { commands: string[] }).commands;
}

/** Error findings of the library's own AWSTOE validator for a produced document. */
export function validationErrors(document: ToeDocument, osFamily: OsFamily): string[] {
  return validateComponentDocument(document, { platform: osFamily }).filter(f => f.severity === 'error').map(f => f.message);
}

/** A fresh temporary folder, removed by the caller (or left to the OS). */
export function tempFolder(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes files (relative path => content) under a folder, creating subfolders. */
export function writeFiles(root: string, files: Record<string, string | Buffer>): string {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return root;
}

export const FIXTURES = path.join(__dirname, 'fixtures');

/**
 * A copy of a fixture folder with the permission bits a test can rely on: folders 0755, files
 * 0755 where the owner may execute them and 0644 otherwise. Git records only the executable bit,
 * so a checkout's group and other bits follow the umask it was made with (tar's 0002 gives 0775
 * and 0664); tests that look at modes use this copy.
 */
export function fixtureWithModes(name: string): string {
  const copy = path.join(tempFolder('fixture-'), name);
  fs.cpSync(path.join(FIXTURES, name), copy, { recursive: true });
  const setModes = (file: string) => {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) {
      fs.chmodSync(file, 0o755);
      fs.readdirSync(file).forEach(entry => setModes(path.join(file, entry)));
    } else {
      fs.chmodSync(file, Math.floor(stat.mode / 0o100) % 2 === 1 ? 0o755 : 0o644);
    }
  };
  setModes(copy);
  return copy;
}

/** AWS's documented example credentials (never real ones). */
export const EXAMPLE_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const EXAMPLE_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const FAKE_PRIVATE_KEY = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAexamplenotarealkey', '-----END RSA PRIVATE KEY-----'].join('\n');

/**
 * Asserts the build role may read exactly these assets' objects: `s3:GetObject` on each object,
 * nothing on the rest of the assets bucket.
 */
export function expectObjectGrants(stack: Stack, assets: s3assets.Asset[]): void {
  const template = Template.fromStack(stack);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
  expect(policies).toHaveLength(1);
  expect(policies[0].Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^BuildRole/) }]);
  const statements = policies[0].Properties.PolicyDocument.Statement;
  const resources = statements.flatMap((s: any) => {
    expect(s).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject' });
    return Array.isArray(s.Resource) ? s.Resource : [s.Resource];
  });
  expect(resources.map((r: any) => JSON.stringify(r)).sort()).toEqual(assets.map(asset => JSON.stringify({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/${asset.s3ObjectKey}`]],
  })).sort());
}
