import { App, Duration, Stack, TimeZone, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  DeploymentImage, GoldenImage, GoldenImageProps, ImagePipelineOptions, ImageRetention, ImmutableDeployment, ImmutableDeploymentProps,
  ParentImage, PipelineSchedule, Provisioner, TrafficShift, VmExport, VmExportOptions, WeekDay,
} from '../../src';

/**
 * The catalogue of bad input: every configuration here must fail at synth with a message that
 * names the construct path and the prop, and says what to do. One table, all constructs.
 */

const ENV = { account: '123456789012', region: 'eu-west-1' };
const SHELL = Provisioner.shell({ name: 'install', commands: ['dnf install -y nginx'] });

function image(props: Partial<GoldenImageProps> = {}, stack?: Stack): GoldenImage {
  const scope = stack ?? new Stack(new App(), 'Bad', { env: ENV });
  return new GoldenImage(scope, 'Image', { parentImage: ParentImage.amazonLinux2023(), provisioners: [SHELL], ...props });
}

/** A VM export to a bucket imported into the image's region (or `region`). */
function exportTo(options: VmExportOptions = {}, region = ENV.region): VmExport {
  const stack = new Stack(new App(), 'Buckets', { env: ENV });
  return VmExport.toBucket(s3.Bucket.fromBucketAttributes(stack, 'Disks', { bucketName: 'disks', region, account: ENV.account }), options);
}

function pipeline(options: ImagePipelineOptions): void {
  image().addPipeline('Pipeline', options);
}

function deployment(props: Partial<ImmutableDeploymentProps> = {}): void {
  const stack = new Stack(new App(), 'Bad', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  new ImmutableDeployment(stack, 'Web', {
    vpc,
    image: DeploymentImage.fromAmiId('ami-0123456789abcdef0'),
    instanceType: new ec2.InstanceType('t3.small'),
    capacity: { min: 2, max: 6 },
    ...props,
  });
}

function twoDeploymentsOnOneListener(): void {
  const stack = new Stack(new App(), 'Bad', { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc });
  const listener = lb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(503) });
  const common = { vpc, image: DeploymentImage.fromAmiId('ami-0123456789abcdef0'), instanceType: new ec2.InstanceType('t3.small'), capacity: { min: 1, max: 2 } };
  new ImmutableDeployment(stack, 'Blue', { ...common, listener, priority: 10, conditions: [elbv2.ListenerCondition.pathPatterns(['/a/*'])] });
  new ImmutableDeployment(stack, 'Green', { ...common, listener, priority: 10, conditions: [elbv2.ListenerCondition.pathPatterns(['/b/*'])] });
}

interface Case {
  /** What is wrong. */
  readonly name: string;
  readonly synth: () => void;
  /** The construct path the message must start with. */
  readonly path: string;
  /** The prop the message must name. */
  readonly prop: string;
  /** What the message must tell the user to do. */
  readonly fix: RegExp;
}

const CASES: Case[] = [
  // GoldenImage
  { name: 'no provisioners, validations or tests', synth: () => image({ provisioners: [] }), path: 'Bad/Image', prop: 'provisioners', fix: /Add provisioners/ },
  { name: 'rebuild key that is a token', synth: () => image({ rebuildKey: Token.asString({ Ref: 'AWS::StackId' }) }), path: 'Bad/Image', prop: 'rebuildKey', fix: /Give a literal string/ },
  { name: 'instance type of the wrong architecture', synth: () => image({ instanceTypes: [new ec2.InstanceType('m7g.large')] }), path: 'Bad/Image', prop: 'instanceTypes[0]', fix: /Choose x86_64 instance types/ },
  { name: 'AMI name that is the same for every bake', synth: () => image({ amiName: 'web' }), path: 'Bad/Image', prop: 'amiName', fix: /Add \{\{timestamp\}\}/ },
  { name: 'AMI name with a Packer function Image Builder lacks', synth: () => image({ amiName: 'web-{{user `v`}}-{{timestamp}}' }), path: 'Bad/Image', prop: 'amiName', fix: /resolve other values in your CDK code/ },
  { name: 'AMI name too long', synth: () => image({ amiName: `${'w'.repeat(125)}{{timestamp}}` }), path: 'Bad/Image', prop: 'amiName', fix: /Shorten the name/ },
  { name: 'root volume smaller than the parent snapshot', synth: () => image({ parentImage: ParentImage.debian({ release: '12' }), rootVolume: { sizeGiB: 4 } }), path: 'Bad/Image', prop: 'rootVolume.sizeGiB', fix: /Give at least 8/ },
  { name: 'root volume of a fractional size', synth: () => image({ rootVolume: { sizeGiB: 10.5 } }), path: 'Bad/Image', prop: 'rootVolume.sizeGiB', fix: /whole number of GiB/ },
  { name: 'test timeout outside Image Builder\'s range', synth: () => image({ testTimeout: Duration.hours(30) }), path: 'Bad/Image', prop: 'testTimeout', fix: /between one hour and one day/ },
  { name: 'relative working directory', synth: () => image({ workingDirectory: 'tmp/build' }), path: 'Bad/Image', prop: 'workingDirectory', fix: /absolute path|Give a path/ },
  { name: 'VM export of an encrypted root', synth: () => image({ vmExports: [exportTo()] }), path: 'Bad/Image', prop: 'vmExports', fix: /Set rootVolume: \{ encrypted: false \}/ },
  { name: 'VM export with a key prefix starting with /', synth: () => image({ rootVolume: { encrypted: false }, vmExports: [exportTo({ prefix: '/disks/' })] }), path: 'Bad/Image', prop: 'vmExports[0].prefix', fix: /Give a prefix such as/ },
  { name: 'VM export to a bucket in another region', synth: () => image({ rootVolume: { encrypted: false }, vmExports: [exportTo({}, 'us-east-1')] }), path: 'Bad/Image', prop: 'vmExports[0].bucket', fix: /Use a bucket in eu-west-1/ },
  { name: 'vagrantGuest with a public key that is not one', synth: () => image({ provisioners: [Provisioner.vagrantGuest({ publicKey: 'AAAA' })] }), path: 'Bad/Image', prop: 'provisioners[0].publicKey', fix: /Give the contents of a \.pub file/ },
  { name: 'vagrantGuest as root', synth: () => image({ provisioners: [Provisioner.vagrantGuest({ user: 'root' })] }), path: 'Bad/Image', prop: 'provisioners[0].user', fix: /unprivileged user/ },
  // ParentImage
  { name: 'Ubuntu release that does not exist', synth: () => image({ parentImage: ParentImage.ubuntu({ release: '19.04' }) }), path: 'Bad/Image', prop: 'parentImage', fix: /Use one of/ },
  { name: 'Windows Server on arm64', synth: () => image({ parentImage: ParentImage.windowsServer({ version: '2022', architecture: ec2.InstanceArchitecture.ARM_64 }) }), path: 'Bad/Image', prop: 'parentImage', fix: /fromAmiId|lookup/ },
  { name: 'malformed AMI id', synth: () => image({ parentImage: ParentImage.fromAmiId('ami-12') }), path: 'Bad/Image', prop: 'parentImage', fix: /Give an id like/ },
  { name: 'AMI id that is a token', synth: () => image({ parentImage: ParentImage.fromAmiId(Token.asString({ Ref: 'Ami' })) }), path: 'Bad/Image', prop: 'parentImage', fix: /fromSsmParameter/ },
  { name: 'SSM parameter name with spaces', synth: () => image({ parentImage: ParentImage.fromSsmParameter('/my amis/web') }), path: 'Bad/Image', prop: 'parentImage', fix: /Give a name like/ },
  // Provisioner
  { name: 'duplicate provisioner names', synth: () => image({ provisioners: [SHELL, SHELL] }), path: 'Bad/Image', prop: 'provisioners[1].name', fix: /unique name/ },
  { name: 'provisioner name with spaces', synth: () => image({ provisioners: [Provisioner.shell({ name: 'install nginx', commands: ['true'] })] }), path: 'Bad/Image', prop: 'provisioners[0].name', fix: /Rename the provisioner/ },
  { name: 'shell step on Windows', synth: () => image({ parentImage: ParentImage.windowsServer({ version: '2022' }) }), path: 'Bad/Image', prop: 'provisioners[0]', fix: /Provisioner\.powerShell/ },
  { name: 'PowerShell step on Linux', synth: () => image({ provisioners: [Provisioner.powerShell({ commands: ['Get-Date'] })] }), path: 'Bad/Image', prop: 'provisioners[0]', fix: /Provisioner\.shell\(\)/ },
  { name: 'shell step with no commands', synth: () => image({ provisioners: [Provisioner.shell({ commands: [] })] }), path: 'Bad/Image', prop: 'provisioners[0].commands', fix: /Give the commands to run/ },
  { name: 'environment variable name a shell refuses', synth: () => image({ provisioners: [Provisioner.shell({ commands: ['true'], environment: { '1BAD': 'x' } })] }), path: 'Bad/Image', prop: 'provisioners[0].environment', fix: /Rename the variable/ },
  { name: 'maxAttempts of zero', synth: () => image({ provisioners: [Provisioner.shell({ commands: ['true'], maxAttempts: 0 })] }), path: 'Bad/Image', prop: 'provisioners[0].maxAttempts', fix: /Set maxAttempts to 1/ },
  { name: 'missing local script', synth: () => image({ provisioners: [Provisioner.shellScript({ path: '/nonexistent/setup.sh' })] }), path: 'Bad/Image', prop: 'provisioners[0].path', fix: /existing script file/ },
  { name: 'missing local file to upload', synth: () => image({ provisioners: [Provisioner.file({ source: '/nonexistent/site/', destination: '/var/www/' })] }), path: 'Bad/Image', prop: 'provisioners[0].source', fix: /./ },
  { name: 'relative upload destination', synth: () => image({ provisioners: [Provisioner.file({ source: __filename, destination: 'www/' })] }), path: 'Bad/Image', prop: 'provisioners[0].destination', fix: /Give a path from the root/ },
  { name: 'file mode that is not octal', synth: () => image({ provisioners: [Provisioner.file({ source: __filename, destination: '/opt/', mode: '0999' })] }), path: 'Bad/Image', prop: 'provisioners[0].mode', fix: /'0644'/ },
  { name: 'unknown AWS-managed component', synth: () => image({ provisioners: [Provisioner.awsManaged('aws-cli-version-3-linux')] }), path: 'Bad/Image', prop: 'provisioners[0]', fix: /fromComponentArn|Did you mean|did you mean/ },
  { name: 'Windows AWS-managed component on Linux', synth: () => image({ provisioners: [Provisioner.awsManaged('update-windows')] }), path: 'Bad/Image', prop: 'provisioners[0]', fix: /update-linux|Linux/ },
  { name: 'raw document that is not valid YAML', synth: () => image({ provisioners: [Provisioner.fromComponentDocument('phases: [\n  - name: build\n    steps: {')] }), path: 'Bad/Image', prop: 'provisioners[0].document', fix: /at line 2, column 11.*Fix the YAML/s },
  {
    name: 'raw document with an unknown action',
    synth: () => image({
      provisioners: [Provisioner.fromComponentDocument('schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Install\n        action: InstallPackage\n        inputs: {}\n')],
    }),
    path: 'Bad/Image',
    prop: 'provisioners[0].document',
    fix: /install packages with ExecuteBash/,
  },
  { name: 'unquoted AWSTOE expression in a command', synth: () => image({ provisioners: [Provisioner.shell({ name: 'x', commands: ['echo {{ nothing }}'] })] }), path: 'Bad/Image', prop: 'provisioners[0]', fix: /Fix the provisioner's options/ },
  { name: 'access key in a command', synth: () => image({ provisioners: [Provisioner.shell({ commands: ['aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE'] })] }), path: 'Bad/Image', prop: 'provisioners[0].commands', fix: /instance role.*Secrets Manager or SSM Parameter Store/ },
  { name: 'secret key in an environment value', synth: () => image({ provisioners: [Provisioner.shell({ commands: ['true'], environment: { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } })] }), path: 'Bad/Image', prop: 'provisioners[0].environment.AWS_SECRET_ACCESS_KEY', fix: /Secrets Manager/ },
  // ImagePipeline
  { name: 'cron expression with five fields', synth: () => pipeline({ schedule: PipelineSchedule.expression('cron(0 4 * * 1)') }), path: 'Bad/Image/Pipeline', prop: 'schedule', fix: /six fields|cron\(/ },
  { name: 'cron hour out of range', synth: () => pipeline({ schedule: PipelineSchedule.cron({ minute: '0', hour: '25' }) }), path: 'Bad/Image/Pipeline', prop: 'schedule', fix: /0 to 23|0-23/ },
  { name: 'unknown time zone', synth: () => pipeline({ schedule: PipelineSchedule.weekly({ day: WeekDay.SUNDAY, hour: 4, timeZone: TimeZone.of('Mars/Olympus_Mons') }) }), path: 'Bad/Image/Pipeline', prop: 'schedule.timeZone', fix: /Give an IANA time zone name/ },
  { name: 'auto-disable after 11 failures', synth: () => pipeline({ autoDisableAfterFailures: 11 }), path: 'Bad/Image/Pipeline', prop: 'autoDisableAfterFailures', fix: /whole number from 1 to 10/ },
  { name: 'keep no images', synth: () => pipeline({ keepImages: ImageRetention.count(0) }), path: 'Bad/Image/Pipeline', prop: 'keepImages', fix: /./ },
  { name: 'SSM parameter name with a space', synth: () => pipeline({ distribution: [{ ssmParameters: [{ parameterName: '/golden/web latest' }] }] }), path: 'Bad/Image/Pipeline', prop: 'distribution[0].ssmParameters[0].parameterName', fix: /./ },
  { name: 'public AMI without the explicit flag', synth: () => pipeline({ distribution: [{ launchPermissions: { accounts: ['all'] } }] }), path: 'Bad/Image/Pipeline', prop: 'distribution[0].launchPermissions.accounts[0]', fix: /public/ },
  { name: 'the same region twice', synth: () => pipeline({ distribution: [{ region: 'us-east-1' }, { region: 'us-east-1', amiTags: { a: 'b' } }] }), path: 'Bad/Image/Pipeline', prop: 'distribution[1].region', fix: /./ },
  { name: 'build-region entry with no outputs', synth: () => pipeline({ distribution: [{}] }), path: 'Bad/Image/Pipeline', prop: 'distribution[0]', fix: /./ },
  // ImmutableDeployment
  { name: 'capacity min above max', synth: () => deployment({ capacity: { min: 5, max: 2 } }), path: 'Bad/Web', prop: 'capacity.min', fix: /Lower capacity\.min/ },
  { name: 'desired outside min..max', synth: () => deployment({ capacity: { min: 2, max: 4, desired: 9 } }), path: 'Bad/Web', prop: 'capacity.desired', fix: /from 2 to 4/ },
  { name: 'canary percent of 100', synth: () => deployment({ trafficShift: TrafficShift.canary({ percent: 100, interval: Duration.minutes(5) }) }), path: 'Bad/Web', prop: 'trafficShift.percent', fix: /TrafficShift\.allAtOnce\(\)/ },
  { name: 'linear percent of 0', synth: () => deployment({ trafficShift: TrafficShift.linear({ percent: 0, interval: Duration.minutes(1) }) }), path: 'Bad/Web', prop: 'trafficShift.percent', fix: /1 to 99/ },
  { name: 'health check path without a leading slash', synth: () => deployment({ healthCheck: { path: 'health' } }), path: 'Bad/Web', prop: 'healthCheck.path', fix: /Start the path with a slash/ },
  { name: 'HTTPS without a certificate', synth: () => deployment({ listenerProtocol: elbv2.ApplicationProtocol.HTTPS }), path: 'Bad/Web', prop: 'certificates', fix: /ListenerCertificate/ },
  { name: 'a key pair (use Session Manager)', synth: () => deployment({ keyName: 'ops' }), path: 'Bad/Web', prop: 'keyName', fix: /Session Manager/ },
  { name: 'a release that cannot fit in an hour', synth: () => deployment({ trafficShift: TrafficShift.linear({ percent: 10, interval: Duration.minutes(10) }) }), path: 'Bad/Web', prop: 'release timing', fix: /Lower trafficShift by at least 3060 s/ },
  { name: 'a bake time that breaks the hour', synth: () => deployment({ bakeTime: Duration.minutes(55) }), path: 'Bad/Web', prop: 'release timing', fix: /Lower bakeTime by at least 660 s/ },
  {
    name: 'an image known only at deploy time, without a generation key',
    synth: () => deployment({
      image: DeploymentImage.fromMachineImage(ec2.MachineImage.fromSsmParameter('/golden/web/latest')),
    }),
    path: 'Bad/Web',
    prop: 'image',
    fix: /generationKey|fromSsmParameterLookup/,
  },
  { name: 'two deployments with one priority on one listener', synth: twoDeploymentsOnOneListener, path: 'Bad/Green', prop: 'priority', fix: /[Gg]ive|[Cc]hoose/ },
  { name: 'a test listener on the production port', synth: () => deployment({ testListener: { port: 80, allowFrom: [ec2.Peer.ipv4('10.0.0.0/16')] } }), path: 'Bad/Web', prop: 'testListener.port', fix: /another port/ },
  { name: 'a test listener nobody may reach', synth: () => deployment({ testListener: { port: 8443, allowFrom: [] } }), path: 'Bad/Web', prop: 'testListener.allowFrom', fix: /Give testListener\.allowFrom the peers/ },
  { name: 'a verify timeout without a verify hook', synth: () => deployment({ verifyTimeout: Duration.minutes(2) }), path: 'Bad/Web', prop: 'verifyTimeout', fix: /Give verify/ },
];

describe('bad input catalogue', () => {
  test('holds at least 40 configurations across the four constructs', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    for (const path of ['Bad/Image', 'Bad/Image/Pipeline', 'Bad/Web']) {
      expect(CASES.some(c => c.path === path)).toBe(true);
    }
  });

  test.each(CASES.map(c => [c.name, c] as const))('%s', (_name, c) => {
    let message = '';
    try {
      c.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    if (process.env.SHOW_MESSAGES) {
      console.log(message);
    }
    expect(message).not.toBe('');
    // Where: the construct path first; what: the prop, then the value.
    expect(message.startsWith(`${c.path}: invalid ${c.prop} `) || message.startsWith(`${c.path}: invalid ${c.prop}:`)).toBe(true);
    // What to do.
    expect(message).toMatch(c.fix);
  });
});
