import { Aws, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AMI, ENV, OTHER_AMI, baseProps, newStack, releaseProperties } from './deployment-fixtures';
import { DeploymentImage } from '../../src/deployment/deployment-image';
import { ImmutableDeployment } from '../../src/deployment/immutable-deployment';
import { ImmutableDeploymentProps } from '../../src/deployment/immutable-deployment-props';
import { TrafficShift } from '../../src/deployment/traffic-shift';

const GENERATION_TYPES = ['AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::AutoScalingGroup', 'AWS::ElasticLoadBalancingV2::TargetGroup'];

/**
 * Synthesises the same app with one variation: `build` gets a fresh stack and VPC and
 * returns the props of the deployment, so variations may create resources of their own.
 */
function synth(build: (stack: import('aws-cdk-lib').Stack, vpc: ec2.Vpc) => Partial<ImmutableDeploymentProps> = () => ({})) {
  const { stack, vpc } = newStack();
  const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, build(stack, vpc)));
  const template = Template.fromStack(stack);
  const generationIds = GENERATION_TYPES.flatMap(type => Object.keys(template.findResources(type))).sort();
  return { key: deployment.generationKey, generationIds, template };
}

const base = synth();

function userDataWith(command: string): ec2.UserData {
  const userData = ec2.UserData.forLinux();
  userData.addCommands(command);
  return userData;
}

describe('a change of what an instance is makes a new generation', () => {
  const cases: Array<[string, Parameters<typeof synth>[0]]> = [
    ['image', () => ({ image: DeploymentImage.fromAmiId(OTHER_AMI) })],
    ['instance type', () => ({ instanceType: new ec2.InstanceType('t3.medium') })],
    ['user data', () => ({ userData: userDataWith('echo v2') })],
    ['role', stack => ({ role: new iam.Role(stack, 'OtherRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }) })],
    ['security group', (stack, vpc) => ({ securityGroup: new ec2.SecurityGroup(stack, 'OtherGroup', { vpc }) })],
    ['root volume', () => ({ rootVolume: { sizeGiB: 30 } })],
    ['port', () => ({ port: 8080 })],
    ['health check path', () => ({ healthCheck: { path: '/healthz' } })],
    ['subnets', () => ({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } })],
    ['generation key', () => ({ generationKey: 'force-2' })],
  ];

  test.each(cases)('%s', (_name, build) => {
    const changed = synth(build);
    expect(changed.key).not.toBe(base.key);
    for (const id of changed.generationIds) {
      expect(id).toContain(`Generation${changed.key}`);
      expect(base.generationIds).not.toContain(id);
    }
    expect(changed.generationIds).toHaveLength(base.generationIds.length);
    expect(releaseProperties(changed.template).Generation.Key).toBe(changed.key);
  });
});

describe('a change of how the fleet runs or releases keeps the generation', () => {
  const cases: Array<[string, Parameters<typeof synth>[0]]> = [
    ['capacity', () => ({ capacity: { min: 3, max: 12, desired: 4 } })],
    ['scaling', () => ({ scaling: { targetCpuUtilizationPercent: 40 } })],
    ['rollback alarms', stack => ({ rollbackAlarms: [cloudwatch.Alarm.fromAlarmName(stack, 'A', 'web-p99')] })],
    ['generation alarms', () => ({ generationAlarms: { targetErrorThreshold: 50 } })],
    ['traffic shift', () => ({ trafficShift: TrafficShift.linear({ percent: 20, interval: Duration.minutes(1) }) })],
    ['bake time', () => ({ bakeTime: Duration.minutes(1) })],
    ['health check timings', () => ({ healthCheck: { interval: Duration.seconds(30), healthyThresholdCount: 3, healthyHttpCodes: '200-299' } })],
    ['deregistration delay', () => ({ deregistrationDelay: Duration.seconds(10) })],
    ['health timeout and stickiness', () => ({ healthTimeout: Duration.minutes(15), stickiness: Duration.minutes(1) })],
  ];

  test.each(cases)('%s', (_name, build) => {
    const changed = synth(build);
    expect(changed.key).toBe(base.key);
    expect(changed.generationIds).toEqual(base.generationIds);
  });
});

test('an unchanged app synthesises byte-identical templates', () => {
  expect(JSON.stringify(synth().template.toJSON())).toBe(JSON.stringify(base.template.toJSON()));
});

test('the key does not depend on unrelated constructs (no token placeholder is hashed)', () => {
  const withPseudo = () => userDataWith(`aws s3 cp s3://bucket-${Aws.ACCOUNT_ID}-${Aws.REGION}/app.zip /opt/app.zip`);
  const first = synth(() => ({ userData: withPseudo() }));
  const crowded = synth(stack => {
    for (let i = 0; i < 5; i++) {
      new s3.Bucket(stack, `Unrelated${i}`);
    }
    return { userData: withPseudo() };
  });
  expect(crowded.key).toBe(first.key);
  expect(first.key).not.toBe(base.key);
});

test('the image\'s AMI id decides the key, not the factory that gave it', () => {
  const { stack, vpc } = newStack({ env: ENV });
  const fromMachineImage = new ImmutableDeployment(stack, 'Web', baseProps(vpc, {
    image: DeploymentImage.fromMachineImage(ec2.MachineImage.genericLinux({ [ENV.region]: AMI })),
  }));
  // In an environment-specific stack the region map resolves at synth time.
  expect(fromMachineImage.generationKey).toBe(base.key);
});

test('a deploy-time image is keyed by its generation key, which rolls out a new generation when changed', () => {
  const image = () => DeploymentImage.fromMachineImage(ec2.MachineImage.latestAmazonLinux2023());
  const v1 = synth(() => ({ image: image(), generationKey: 'al2023-2026-11-01' }));
  const v1again = synth(() => ({ image: image(), generationKey: 'al2023-2026-11-01' }));
  const v2 = synth(() => ({ image: image(), generationKey: 'al2023-2026-11-08' }));
  const onImage = synth(() => ({ image: DeploymentImage.fromMachineImage(ec2.MachineImage.latestAmazonLinux2023(), { generationKey: 'al2023-2026-11-08' }) }));
  expect(v1.key).toBe(v1again.key);
  expect(v2.key).not.toBe(v1.key);
  expect(onImage.key).not.toBe(v1.key);
  expect(v2.generationIds.every(id => !v1.generationIds.includes(id))).toBe(true);
});

test('user data that names a resource attribute is keyed by the generation key', () => {
  const withBucket = (key: string) => synth(stack => ({
    userData: userDataWith(`aws s3 cp s3://${new s3.Bucket(stack, 'Site').bucketName}/site.zip /srv/`),
    generationKey: key,
  }));
  expect(withBucket('site-1').key).toBe(withBucket('site-1').key);
  expect(withBucket('site-2').key).not.toBe(withBucket('site-1').key);
});
