import * as path from 'path';
import { App, CfnOutput, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  DeploymentImage, DiskFormat, GoldenImage, GoldenImageProps, ImagePipeline, ImageRetention, ImmutableDeployment, LifecycleThreshold, ParentImage,
  PipelineSchedule, Provisioner, RebuildCondition, TrafficShift, VmExport, WeekDay,
} from '../src';
import { GoldenContainerStack } from './golden-container';

/** Where the page the web servers serve lives. */
const SITE = path.join(__dirname, 'site/');

/**
 * The golden web server of the classic Packer tutorial: OS updates, nginx, a local site
 * folder as the web root, SSH locked down (access is through SSM Session Manager), a
 * validation of nginx's configuration and a test that the page is served.
 */
export function webServerImage(scope: Construct, id: string, parentImage: ParentImage, packageManager: 'apt' | 'dnf'): GoldenImage {
  return new GoldenImage(scope, id, webServerImageProps(parentImage, packageManager));
}

/** The web server image's props, shared by the image a fleet runs and its Vagrant variant. */
function webServerImageProps(parentImage: ParentImage, packageManager: 'apt' | 'dnf'): GoldenImageProps {
  const install = packageManager === 'apt'
    ? ['export DEBIAN_FRONTEND=noninteractive', 'apt-get update', 'apt-get install -y nginx curl', 'systemctl enable nginx']
    : ['dnf install -y nginx', 'systemctl enable nginx'];
  return {
    parentImage,
    description: 'nginx web server with the site baked in',
    amiName: 'golden-web-{{timestamp}}',
    amiTags: { role: 'web' },
    provisioners: [
      Provisioner.updateOs(),
      Provisioner.shell({ name: 'install-nginx', commands: install }),
      // The trailing slash copies the folder's contents into the web root (Packer's rule).
      Provisioner.file({ name: 'site', source: SITE, destination: '/var/www/html/', mode: '0644' }),
      Provisioner.shell({
        name: 'harden-ssh',
        commands: [
          'if [ -f /etc/ssh/sshd_config ]; then',
          '  sed -i -E "s/^#?PasswordAuthentication.*/PasswordAuthentication no/; s/^#?PermitRootLogin.*/PermitRootLogin no/" /etc/ssh/sshd_config',
          'fi',
          // Nobody logs in over SSH: Session Manager is the way in.
          'systemctl disable ssh sshd 2>/dev/null || true',
        ],
      }),
      Provisioner.reboot(),
    ],
    validations: [Provisioner.shell({ name: 'nginx-config', commands: ['nginx -t'] })],
    tests: [Provisioner.shell({
      name: 'serves-site',
      commands: [
        'systemctl start nginx',
        'curl -fsS http://localhost/ | grep -q "Served from a golden image"',
      ],
    })],
  };
}

/**
 * The same web server as a VMDK for VirtualBox, VMware and Vagrant: the web image's steps, then
 * a Vagrant login (Provisioner.vagrantGuest()), exported by VM Import/Export to a private bucket
 * after every deploy-time bake. VM Import/Export cannot export encrypted snapshots, so this
 * variant is built from Debian's own (unencrypted) AMI rather than cascading from the encrypted
 * web image, and keeps its root unencrypted; no fleet launches it.
 */
export function vagrantVariant(scope: Construct, id: string, parentImage: ParentImage): GoldenImage {
  const disks = new s3.Bucket(scope, 'Disks', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  });
  Validations.of(disks).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'Only VM Import/Export writes here and you download; server access logs would need a log bucket with a deprecated ACL in this synth-only example app',
  });
  const web = webServerImageProps(parentImage, 'apt');
  return new GoldenImage(scope, id, {
    ...web,
    description: 'nginx web server with the site baked in, for Vagrant',
    amiName: 'golden-web-vagrant-{{timestamp}}',
    provisioners: [...web.provisioners!, Provisioner.vagrantGuest()],
    rootVolume: { encrypted: false },
    vmExports: [VmExport.toBucket(disks, { format: DiskFormat.VMDK, prefix: 'vagrant/golden-web/' })],
  });
}

/**
 * The second region the Debian image is copied to, where GoldenWebDebianReplica runs it. The
 * image stack deploys to your default region, which must not be this one.
 */
export const REPLICA_REGION = 'eu-west-1';

/** The public address of the VPC's one NAT gateway (in its first public subnet). */
function natAddress(vpc: ec2.Vpc): string {
  return (vpc.publicSubnets[0].node.findChild('EIP') as ec2.CfnEIP).attrPublicIp;
}

/**
 * The verify hook: fetches the new generation's home page through the test listener, which
 * only this function may reach, and passes it when the page is the golden site.
 */
function smokeTest(scope: Construct, vpc: ec2.IVpc): lambda.Function {
  const fn = new lambda.Function(scope, 'SmokeTest', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    vpc,
    timeout: Duration.seconds(20),
    logGroup: new logs.LogGroup(scope, 'SmokeTestLogs', { retention: logs.RetentionDays.ONE_MONTH }),
    description: 'Checks each new generation of the golden web fleet before it takes traffic',
    code: lambda.Code.fromInline([
      'exports.handler = async (event) => {',
      '  try {',
      '    const res = await fetch(event.testEndpoint + "/", { signal: AbortSignal.timeout(10000) });',
      '    const body = await res.text();',
      '    if (res.status !== 200) return { verdict: "FAIL", reason: "GET / answered " + res.status };',
      '    return body.includes("Served from a golden image") ? { verdict: "PASS", reason: "GET / serves the golden site" } : { verdict: "FAIL", reason: "GET / is not the golden site" };',
      '  } catch (e) {',
      '    return { verdict: "NOT_YET", reason: String(e) };',
      '  }',
      '};',
    ].join('\n')),
  });
  for (const policy of ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole']) {
    Validations.of(fn.role!).acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
      reason: 'The policies AWS maintains for a function in a VPC: its logs and its network interfaces, nothing else',
    });
  }
  return fn;
}

/** The golden web image on Debian 12, as in the classic tutorials. */
export class GoldenWebDebianStack extends Stack {
  public readonly image: GoldenImage;
  public readonly vagrantImage: GoldenImage;
  public readonly pipeline: ImagePipeline;
  public readonly web: ImmutableDeployment;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.image = webServerImage(this, 'WebImage', ParentImage.debian({ release: '12' }), 'apt');
    this.vagrantImage = vagrantVariant(this, 'VagrantImage', ParentImage.debian({ release: '12' }));
    new CfnOutput(this, 'VagrantDisk', {
      value: this.vagrantImage.exportedDiskLocations[0],
      description: 'The VMDK of the last bake (complete once its export task ends): make a box with npx cdk-immutable-infra vagrant-box',
    });
    // Rebake weekly when Debian publishes a new AMI, publish the AMI id; deprecate each build after
    // 30 days and delete it after 90 (keeping the newest 3 whatever their age, and never the AMI
    // the web fleet launches).
    this.pipeline = this.image.addPipeline('WeeklyRebake', {
      schedule: PipelineSchedule.weekly({ day: WeekDay.SUNDAY, hour: 4 }),
      rebuildWhen: RebuildCondition.WHEN_DEPENDENCIES_UPDATED,
      // Every bake is also copied to the replica region, where another stack runs it.
      distribution: [{ ssmParameters: [{ parameterName: '/golden/web/latest' }] }, { region: REPLICA_REGION }],
      keepImages: ImageRetention.lifecycle({
        deprecate: { after: LifecycleThreshold.age(Duration.days(30)) },
        delete: { after: LifecycleThreshold.age(Duration.days(90), 3) },
      }),
    });

    // Every new bake rolls out as a new generation: checked alone through a test listener, then
    // 10 % first, the rest after five healthy minutes.
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    vpc.addFlowLog('FlowLogs');
    const verify = smokeTest(this, vpc);
    this.web = new ImmutableDeployment(this, 'Web', {
      vpc,
      image: DeploymentImage.fromGoldenImage(this.image),
      instanceType: new ec2.InstanceType('t3.small'),
      capacity: { min: 2, max: 6 },
      port: 80,
      healthCheck: { path: '/' },
      trafficShift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) }),
      bakeTime: Duration.minutes(10),
      // A website: the load balancer is internal (VPC only) unless asked.
      internetFacing: true,
      // The load balancer's name resolves to public addresses: the function reaches the test
      // listener through the VPC's NAT gateway, whose address alone may.
      testListener: { port: 8080, allowFrom: [ec2.Peer.ipv4(`${natAddress(vpc)}/32`)] },
      verify,
      verifyTimeout: Duration.minutes(3),
    });
    // Slow pages roll a release back too: an alarm on the deployment's own latency metric.
    this.web.addRollbackAlarm(new cloudwatch.Alarm(this, 'SlowPages', {
      metric: this.web.metricTargetResponseTime({ period: Duration.minutes(1) }),
      threshold: 0.5,
      evaluationPeriods: 3,
      alarmDescription: 'The web fleet answers in more than 500 ms on average',
    }));
    new CfnOutput(this, 'Url', { value: this.web.url!, description: 'Where the golden web servers answer' });
    Validations.of(this.web.loadBalancer!.connections.securityGroups[0]).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'A public website: its load balancer takes HTTP from anywhere on the listener port, and nothing else',
    });
    // Access logs need the stack's region at synth (the load balancer account differs per region).
    Validations.of(this.web.loadBalancer!).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason: 'The example synthesises without an environment; give the stack a region and set accessLogs to keep request logs',
    });
  }
}

/**
 * The Debian image's web fleet in another region, from the copy the image's distribution puts
 * there: the stack reads each bake's AMI id from the SSM parameter written in its region, never
 * from an export of GoldenWebDebian, so rebakes never lock the two stacks together.
 */
export class GoldenWebReplicaStack extends Stack {
  public readonly web: ImmutableDeployment;

  constructor(scope: Construct, id: string, image: GoldenImage, props?: StackProps) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    vpc.addFlowLog('FlowLogs');
    this.web = new ImmutableDeployment(this, 'Web', {
      vpc,
      image: DeploymentImage.fromGoldenImage(image),
      instanceType: new ec2.InstanceType('t3.small'),
      capacity: { min: 2, max: 6 },
      port: 80,
      healthCheck: { path: '/' },
      trafficShift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) }),
    });
    Validations.of(this.web.loadBalancer!).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason: 'The example keeps no request logs; set accessLogs (a bucket in this region) to keep them',
    });
  }
}

/** The same image on Amazon Linux 2023. */
export class GoldenWebAl2023Stack extends Stack {
  public readonly image: GoldenImage;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.image = webServerImage(this, 'WebImage', ParentImage.amazonLinux2023(), 'dnf');
  }
}

/** The example app: every stack, as `npm run example` synthesises it. */
export function buildExampleApp(app: App): Stack[] {
  const debian = new GoldenWebDebianStack(app, 'GoldenWebDebian');
  return [
    debian,
    new GoldenWebAl2023Stack(app, 'GoldenWebAl2023'),
    new GoldenWebReplicaStack(app, 'GoldenWebDebianReplica', debian.image, { env: { region: REPLICA_REGION } }),
    new GoldenContainerStack(app, 'GoldenContainer'),
  ];
}
