import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DeploymentImage, GoldenImage, ImmutableDeployment, ParentImage, Provisioner, TrafficShift } from '../../src';

/**
 * An app in the example's shape, with each input a reviewer cares about as a knob: an image
 * baked from a site folder and shell commands, a deployment of it in the same stack, and one in
 * another region that reads each bake's AMI id from SSM. Tests build pairs that differ in one
 * knob and compare what the library (snapshots) or the command line (plan) makes of them.
 */
export interface ReviewAppOptions {
  /** The folder the file provisioner uploads (make one with `siteFolder`). */
  readonly site: string;
  readonly installCommands?: string[];
  readonly debianRelease?: '11' | '12';
  readonly rootVolumeGiB?: number;
  readonly instanceType?: string;
  readonly maxCapacity?: number;
  readonly trafficShift?: TrafficShift;
  readonly bakeMinutes?: number;
  readonly userData?: string[];
  /** Give the instances a security group made by the app (instead of the deployment's own). */
  readonly ownSecurityGroup?: boolean;
}

export interface ReviewApp {
  readonly app: App;
  readonly image: Stack;
  readonly replica: Stack;
}

export function buildReviewApp(options: ReviewAppOptions, outdir?: string): ReviewApp {
  const app = new App({ builtinCloudFormationValidation: false, ...(outdir ? { outdir } : {}) } as ConstructorParameters<typeof App>[0]);
  const image = new Stack(app, 'Review');
  const golden = new GoldenImage(image, 'WebImage', {
    parentImage: ParentImage.debian({ release: options.debianRelease ?? '12' }),
    rootVolume: options.rootVolumeGiB ? { sizeGiB: options.rootVolumeGiB } : undefined,
    provisioners: [
      Provisioner.shell({ name: 'install-nginx', commands: options.installCommands ?? ['apt-get update', 'apt-get install -y nginx'] }),
      Provisioner.file({ name: 'site', source: `${options.site}/`, destination: '/var/www/html/' }),
    ],
  });
  const deploy = (stack: Stack) => {
    const userData = ec2.UserData.forLinux();
    userData.addCommands(...(options.userData ?? []));
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    return new ImmutableDeployment(stack, 'Web', {
      vpc,
      securityGroup: options.ownSecurityGroup ? new ec2.SecurityGroup(stack, 'WebServers', { vpc, description: 'Web servers' }) : undefined,
      image: DeploymentImage.fromGoldenImage(golden),
      instanceType: new ec2.InstanceType(options.instanceType ?? 't3.small'),
      capacity: { min: 2, max: options.maxCapacity ?? 6 },
      userData,
      port: 80,
      healthCheck: { path: '/' },
      trafficShift: options.trafficShift ?? TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) }),
      bakeTime: Duration.minutes(options.bakeMinutes ?? 10),
    });
  };
  deploy(image);
  const replica = new Stack(app, 'ReviewReplica', { env: { region: 'eu-west-1' } });
  deploy(replica);
  return { app, image, replica };
}

/** A fresh site folder with one page; `files` adds or overrides files (relative path to content). */
export function siteFolder(root: string, name: string, files: Record<string, string> = {}): string {
  const dir = path.join(root, name);
  const all = { 'index.html': '<h1>Served from a golden image</h1>\n', ...files };
  for (const [file, content] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

export function temporaryRoot(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
