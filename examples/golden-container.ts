import { CfnOutput, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ContainerParent, GoldenContainerImage, ImagePipeline, ImageRetention, PipelineSchedule, Provisioner, RebuildCondition, WeekDay } from '../src';

/**
 * A hardened Debian base container image, baked by the same kind of provisioners as the golden
 * AMIs and pushed to ECR, and a Fargate service that runs it: OS updates, a minimal runtime,
 * no setuid binaries, an unprivileged user, and tini as PID 1.
 */
export class GoldenContainerStack extends Stack {
  public readonly image: GoldenContainerImage;
  public readonly pipeline: ImagePipeline;
  public readonly service: ecs.FargateService;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    vpc.addFlowLog('FlowLogs');

    this.image = new GoldenContainerImage(this, 'AppImage', {
      parentImage: ContainerParent.fromDockerHub('debian:bookworm-slim'),
      description: 'Hardened Debian 12 base: updates, tini, no setuid binaries, an unprivileged user',
      vpc,
      provisioners: [
        Provisioner.updateOs(),
        Provisioner.shell({
          name: 'install-runtime',
          commands: [
            'export DEBIAN_FRONTEND=noninteractive',
            'apt-get update',
            'apt-get install -y --no-install-recommends ca-certificates tini',
            'rm -rf /var/lib/apt/lists/*',
          ],
        }),
        Provisioner.shell({
          name: 'harden',
          commands: [
            'useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin app',
            // Nothing in the image may raise its privileges.
            'find / -xdev -perm /6000 -type f -exec chmod a-s {} +',
            'passwd -l root',
          ],
        }),
      ],
      validations: [Provisioner.shell({ name: 'no-setuid', commands: ['test -z "$(find / -xdev -perm /6000 -type f)"'] })],
      tests: [Provisioner.shell({ name: 'tini-runs', commands: ['tini --version', 'id app'] })],
      dockerfile: {
        user: 'app',
        entrypoint: ['/usr/bin/tini', '--'],
        command: ['sleep', 'infinity'],
        labels: { 'org.opencontainers.image.description': 'Hardened Debian 12 base' },
      },
      keepImages: 10,
    });
    // Rebake weekly when Debian's image on Docker Hub changes; Image Builder retires the old builds.
    this.pipeline = this.image.addPipeline('WeeklyRebake', {
      schedule: PipelineSchedule.weekly({ day: WeekDay.SUNDAY, hour: 5 }),
      rebuildWhen: RebuildCondition.WHEN_DEPENDENCIES_UPDATED,
      vulnerabilityScanning: true,
      keepImages: ImageRetention.count(10),
    });

    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const task = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    task.addContainer('app', {
      image: this.image.containerImage,
      readonlyRootFilesystem: true,
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'app',
        logGroup: new logs.LogGroup(this, 'AppLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      }),
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition: task,
      desiredCount: 1,
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
    });
    // What the service runs, by content: the build's digest, read from ECR after the deploy-time build.
    new CfnOutput(this, 'ImageDigest', { value: this.image.imageDigest, description: 'The sha256 digest of the image the service runs' });
    // The execution role's policy exists once the container's image has granted its pulls.
    Validations.of(task.obtainExecutionRole().node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ECR authorisation (ecr:GetAuthorizationToken) has no resource to scope it to; image pulls are scoped to the image\'s repository',
    });
  }
}
