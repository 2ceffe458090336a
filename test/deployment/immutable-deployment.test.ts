import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AMI, baseProps, deploy, newStack, only, releaseProperties } from './deployment-fixtures';
import { OsFamily } from '../../src/common/os-family';
import { DeploymentImage } from '../../src/deployment/deployment-image';
import { ImmutableDeployment } from '../../src/deployment/immutable-deployment';
import { InsufficientDataPolicy } from '../../src/deployment/insufficient-data-policy';
import { TrafficShift } from '../../src/deployment/traffic-shift';

describe('ImmutableDeployment defaults', () => {
  const { stack, deployment, template } = deploy();

  test('launch template: IMDSv2 required, encrypted gp3 root, no key pair, no public IP, instance profile', () => {
    const lt = only(template, 'AWS::EC2::LaunchTemplate').resource.Properties.LaunchTemplateData;
    expect(lt.ImageId).toBe(AMI);
    expect(lt.InstanceType).toBe('t3.small');
    expect(lt.MetadataOptions).toEqual({ HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 2, HttpTokens: 'required' });
    expect(lt.BlockDeviceMappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeType: 'gp3' } }]);
    expect(lt.KeyName).toBeUndefined();
    expect(lt.NetworkInterfaces).toBeUndefined();
    expect(lt.Monitoring).toBeUndefined();
    expect(lt.IamInstanceProfile).toEqual({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/Profile/), 'Arn'] } });
    expect(lt.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^WebInstanceSecurityGroup/), 'GroupId'] }]);
    expect(lt.UserData).toEqual({ 'Fn::Base64': '#!/bin/bash' });
  });

  test('Auto Scaling group: bounds from capacity, no desired capacity, ELB health checks, no update policy, tagged for the controller', () => {
    const group = only(template, 'AWS::AutoScaling::AutoScalingGroup').resource;
    expect(group.Properties).toMatchObject({ MinSize: '2', MaxSize: '6', HealthCheckType: 'ELB', HealthCheckGracePeriod: 300 });
    expect(group.Properties.DesiredCapacity).toBeUndefined();
    expect(group.UpdatePolicy).toBeUndefined();
    expect(group.Properties.TargetGroupARNs).toEqual([{ Ref: only(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').id }]);
    expect(group.Properties.VPCZoneIdentifier).toEqual([{ Ref: 'VpcPrivateSubnet1Subnet536B997A' }, { Ref: 'VpcPrivateSubnet2Subnet3788AAA1' }]);
    expect(group.Properties.Tags).toEqual([{ Key: 'cdk-immutable-infra:release-controller', Value: expect.any(String), PropagateAtLaunch: false }]);
  });

  test('target group: port 80 HTTP, fast health check, 60 s deregistration delay', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 80,
      Protocol: 'HTTP',
      TargetType: 'instance',
      HealthCheckEnabled: true,
      HealthCheckPath: '/',
      HealthCheckProtocol: 'HTTP',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '60' }]),
    });
  });

  test('own load balancer: internal, drops invalid headers, HTTP listener whose default answer is 503', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'Service Unavailable' } }],
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    expect(deployment.loadBalancer).toBeDefined();
    expect(stack.resolve(deployment.listener.listenerArn)).toEqual({ Ref: only(template, 'AWS::ElasticLoadBalancingV2::Listener').id });
  });

  test('network: the load balancer answers the VPC and reaches the instances on the port; nothing else gets in', () => {
    const lbGroup = only(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').resource.Properties.SecurityGroups[0]['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('ELB StackWebLoadBalancer'),
      SecurityGroupIngress: [{ CidrIp: { 'Fn::GetAtt': ['Vpc8378EB38', 'CidrBlock'] }, FromPort: 80, ToPort: 80, IpProtocol: 'tcp', Description: 'Clients in the VPC' }],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 80,
      ToPort: 80,
      SourceSecurityGroupId: { 'Fn::GetAtt': [lbGroup, 'GroupId'] },
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebInstanceSecurityGroup'), 'GroupId'] },
    });
    const instanceGroup = Object.values<any>(template.findResources('AWS::EC2::SecurityGroup'))
      .find(g => g.Properties.GroupDescription === 'Instances of Stack/Web');
    expect(instanceGroup.Properties.SecurityGroupIngress).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/"FromPort":22\b/);
  });

  test('instance role: EC2 principal with AmazonSSMManagedInstanceCore only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } }] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }],
    });
    expect(stack.resolve(deployment.role.roleArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebInstanceRole/), 'Arn'] });
  });

  test('release resource: the contract properties with their defaults', () => {
    const props = releaseProperties(template);
    const tg = only(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').id;
    const group = only(template, 'AWS::AutoScaling::AutoScalingGroup').id;
    expect(props).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/ReleaseControllerProviderframeworkonEvent/), 'Arn'] },
      DeploymentName: expect.stringMatching(/^StackWeb[0-9A-F]{8}$/),
      ListenerArn: { Ref: only(template, 'AWS::ElasticLoadBalancingV2::Listener').id },
      Priority: '50000',
      Conditions: JSON.stringify([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }]),
      Generation: { Key: deployment.generationKey, TargetGroupArn: { Ref: tg }, AutoScalingGroupName: { Ref: group } },
      MinCapacity: '2',
      MaxCapacity: '6',
      Strategy: 'ALL_AT_ONCE',
      StepPercent: '100',
      StepIntervalSeconds: '0',
      BakeSeconds: '300',
      DrainSeconds: '60',
      HealthTimeoutSeconds: '600',
      AlarmNames: [{ Ref: expect.stringMatching(/TargetErrorsAlarm/) }, { Ref: expect.stringMatching(/UnhealthyHostsAlarm/) }],
      InsufficientDataPolicy: 'OK',
      DeadlineSeconds: '3300',
      StickinessSeconds: '0',
    });
  });

  test('release dependencies: after the instance security group and load balancer; scaling none by default', () => {
    const release = only(template, 'Custom::ImmutableRelease').resource;
    expect(release.DependsOn).toEqual(expect.arrayContaining([
      expect.stringMatching(/^WebInstanceSecurityGroup[0-9A-F]{8}$/),
      expect.stringMatching(/^WebLoadBalancer[0-9A-F]{8}$/),
      expect.stringMatching(/^WebLoadBalancerListener/),
    ]));
    template.resourceCountIs('AWS::AutoScaling::ScalingPolicy', 0);
  });

  test('generation alarms on the generation\'s own target group: 5xx count and unhealthy hosts', () => {
    const dims = [
      { Name: 'LoadBalancer', Value: { 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancer/), 'LoadBalancerFullName'] } },
      { Name: 'TargetGroup', Value: { 'Fn::GetAtt': [expect.stringMatching(/^WebGeneration[0-9a-f]{8}TargetGroup/), 'TargetGroupFullName'] } },
    ];
    const alarms = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm')).map(a => a.Properties);
    expect(alarms).toEqual(expect.arrayContaining([
      expect.objectContaining({
        MetricName: 'HTTPCode_Target_5XX_Count',
        Namespace: 'AWS/ApplicationELB',
        Statistic: 'Sum',
        Period: 60,
        Threshold: 10,
        EvaluationPeriods: 2,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Dimensions: dims,
      }),
      expect.objectContaining({
        MetricName: 'UnHealthyHostCount', Statistic: 'Maximum', Period: 60, Threshold: 1, EvaluationPeriods: 2, TreatMissingData: 'notBreaching', Dimensions: dims,
      }),
    ]));
    expect(alarms).toHaveLength(2);
    expect(deployment.generationAlarms).toHaveLength(2);
  });

  test('attributes and live-generation resources', () => {
    expect(stack.resolve(deployment.liveGeneration)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebRelease/), 'LiveGeneration'] });
    expect(stack.resolve(deployment.liveTargetGroupArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebRelease/), 'LiveTargetGroupArn'] });
    expect(stack.resolve(deployment.previousGeneration)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebRelease/), 'PreviousGeneration'] });
    expect(stack.resolve(deployment.deploymentId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebRelease/), 'DeploymentId'] });
    expect(stack.resolve(deployment.outcome)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebRelease/), 'Outcome'] });
    expect(deployment.generationKey).toMatch(/^[0-9a-f]{8}$/);
    expect(deployment.autoScalingGroup.node.path).toBe(`Stack/Web/Generation${deployment.generationKey}/Group`);
    expect(deployment.targetGroup.node.path).toBe(`Stack/Web/Generation${deployment.generationKey}/TargetGroup`);
    expect(deployment.launchTemplate.node.path).toBe(`Stack/Web/Generation${deployment.generationKey}/LaunchTemplate`);
    expect(deployment.connections.securityGroups).toHaveLength(1);
  });

  test('metrics read the live generation\'s target group on its load balancer', () => {
    const metric = deployment.metricHttpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT);
    expect(metric.namespace).toBe('AWS/ApplicationELB');
    expect(metric.metricName).toBe('HTTPCode_Target_5XX_Count');
    expect(metric.statistic).toBe('Sum');
    expect(stack.resolve(metric.dimensions)).toEqual({
      LoadBalancer: { 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancer/), 'LoadBalancerFullName'] },
      TargetGroup: { 'Fn::GetAtt': [expect.stringMatching(/TargetGroup/), 'TargetGroupFullName'] },
    });
    expect(deployment.metricUnhealthyHostCount().metricName).toBe('UnHealthyHostCount');
    expect(deployment.metricHealthyHostCount().metricName).toBe('HealthyHostCount');
    expect(deployment.metricTargetResponseTime().metricName).toBe('TargetResponseTime');
    expect(deployment.metricTargetResponseTime().statistic).toBe('Average');
    expect(deployment.metricRequestCount().metricName).toBe('RequestCount');
    expect(deployment.metricRequestCount({ period: Duration.minutes(1) }).period.toSeconds()).toBe(60);
  });
});

describe('ImmutableDeployment instance props', () => {
  test('vpcSubnets places the group', () => {
    const { template } = deploy({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, associatePublicIpAddress: true });
    const group = only(template, 'AWS::AutoScaling::AutoScalingGroup').resource.Properties;
    expect(group.VPCZoneIdentifier).toEqual([{ Ref: 'VpcPublicSubnet1Subnet5C2D37C4' }, { Ref: 'VpcPublicSubnet2Subnet691E08A3' }]);
  });

  test('associatePublicIpAddress puts the security group on a public network interface', () => {
    const { template } = deploy({ associatePublicIpAddress: true });
    const lt = only(template, 'AWS::EC2::LaunchTemplate').resource.Properties.LaunchTemplateData;
    expect(lt.NetworkInterfaces).toEqual([{
      DeviceIndex: 0,
      AssociatePublicIpAddress: true,
      Groups: [{ 'Fn::GetAtt': [expect.stringMatching(/^WebInstanceSecurityGroup/), 'GroupId'] }],
    }]);
    expect(lt.SecurityGroupIds).toBeUndefined();
  });

  test('detailedMonitoring and instanceMetadataHopLimit', () => {
    const { template } = deploy({ detailedMonitoring: true, instanceMetadataHopLimit: 1 });
    const lt = only(template, 'AWS::EC2::LaunchTemplate').resource.Properties.LaunchTemplateData;
    expect(lt.Monitoring).toEqual({ Enabled: true });
    expect(lt.MetadataOptions).toEqual({ HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1, HttpTokens: 'required' });
  });

  test('userData is rendered into the launch template', () => {
    const userData = ec2.UserData.forLinux();
    userData.addCommands('systemctl start nginx');
    const { template } = deploy({ userData });
    const lt = only(template, 'AWS::EC2::LaunchTemplate').resource.Properties.LaunchTemplateData;
    expect(lt.UserData).toEqual({ 'Fn::Base64': '#!/bin/bash\nsystemctl start nginx' });
  });

  test('role: your role gets the instance profile and no role is created', () => {
    const { stack, vpc } = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Mine', 'arn:aws:iam::123456789012:role/web-instances');
    const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, { role }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: ['web-instances'] });
    expect(Object.values<any>(template.findResources('AWS::IAM::Role')).filter(r => JSON.stringify(r).includes('ec2.amazonaws.com'))).toHaveLength(0);
    expect(deployment.role).toBe(role);
  });

  test('securityGroup: yours is used, and the load balancer is let in on the port', () => {
    const { stack, vpc } = newStack();
    const securityGroup = new ec2.SecurityGroup(stack, 'AppGroup', { vpc });
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { securityGroup, port: 8080 }));
    const template = Template.fromStack(stack);
    const lt = only(template, 'AWS::EC2::LaunchTemplate').resource.Properties.LaunchTemplateData;
    expect(lt.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^AppGroup/), 'GroupId'] }]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080,
      ToPort: 8080,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppGroup'), 'GroupId'] },
    });
    expect(Object.values<any>(template.findResources('AWS::EC2::SecurityGroup')).map(g => g.Properties.GroupDescription))
      .not.toContain('Instances of Stack/Web');
  });

  test('rootVolume: size, type, iops, throughput, KMS key and device name; always encrypted', () => {
    const { stack, vpc } = newStack();
    const kmsKey = new kms.Key(stack, 'Key');
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, {
      rootVolume: { sizeGiB: 40, volumeType: ec2.EbsDeviceVolumeType.GP3, iops: 4000, throughput: 250, kmsKey, deviceName: '/dev/sda1' },
    }));
    const lt = only(Template.fromStack(stack), 'AWS::EC2::LaunchTemplate').resource.Properties.LaunchTemplateData;
    expect(lt.BlockDeviceMappings).toEqual([{
      DeviceName: '/dev/sda1',
      Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeType: 'gp3', VolumeSize: 40, Iops: 4000, Throughput: 250, KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] } },
    }]);
  });

  test('capacity.desired goes to the release controller, never to the group', () => {
    const { template } = deploy({ capacity: { min: 1, max: 10, desired: 4 } });
    expect(releaseProperties(template)).toMatchObject({ MinCapacity: '1', MaxCapacity: '10', DesiredCapacity: '4' });
    const group = only(template, 'AWS::AutoScaling::AutoScalingGroup').resource.Properties;
    expect(group).toMatchObject({ MinSize: '1', MaxSize: '10' });
    expect(group.DesiredCapacity).toBeUndefined();
  });
});

describe('ImmutableDeployment traffic props', () => {
  test('port and protocol: HTTPS to the instances, health checked over HTTPS', () => {
    const { template } = deploy({ port: 8443, protocol: elbv2.ApplicationProtocol.HTTPS });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8443, Protocol: 'HTTPS', HealthCheckProtocol: 'HTTPS' });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8443, ToPort: 8443 });
  });

  test('healthCheck: every field', () => {
    const { template } = deploy({
      healthCheck: {
        path: '/healthz',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(4),
        healthyThresholdCount: 3,
        unhealthyThresholdCount: 4,
        healthyHttpCodes: '200-299',
        gracePeriod: Duration.seconds(120),
      },
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/healthz',
      HealthCheckIntervalSeconds: 15,
      HealthCheckTimeoutSeconds: 4,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 4,
      Matcher: { HttpCode: '200-299' },
    });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { HealthCheckGracePeriod: 120 });
  });

  test('deregistrationDelay: target group attribute and drain time', () => {
    const { template } = deploy({ deregistrationDelay: Duration.seconds(120) });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '120' }]),
    });
    expect(releaseProperties(template).DrainSeconds).toBe('120');
  });

  test('trafficShift, bakeTime, healthTimeout and stickiness reach the release controller', () => {
    const canary = releaseProperties(deploy({
      trafficShift: TrafficShift.canary({ percent: 10, interval: Duration.minutes(5) }),
      bakeTime: Duration.minutes(10),
      healthTimeout: Duration.minutes(8),
      stickiness: Duration.minutes(2),
    }).template);
    expect(canary).toMatchObject({ Strategy: 'CANARY', StepPercent: '10', StepIntervalSeconds: '300', BakeSeconds: '600', HealthTimeoutSeconds: '480', StickinessSeconds: '120' });
    const linear = releaseProperties(deploy({
      trafficShift: TrafficShift.linear({ percent: 25, interval: Duration.minutes(2) }),
      bakeTime: Duration.seconds(0),
    }).template);
    expect(linear).toMatchObject({ Strategy: 'LINEAR', StepPercent: '25', StepIntervalSeconds: '120', BakeSeconds: '0' });
  });

  test('rollbackAlarms, generationAlarms and insufficientDataPolicy', () => {
    const { stack, vpc } = newStack();
    const alarm = cloudwatch.Alarm.fromAlarmName(stack, 'Latency', 'web-latency-p99');
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, {
      rollbackAlarms: [alarm],
      generationAlarms: { targetErrorThreshold: 3, unhealthyHostThreshold: 2, period: Duration.minutes(2), evaluationPeriods: 3 },
      insufficientDataPolicy: InsufficientDataPolicy.ROLL_BACK,
    }));
    const template = Template.fromStack(stack);
    const props = releaseProperties(template);
    expect(props.AlarmNames).toEqual(['web-latency-p99', { Ref: expect.stringMatching(/TargetErrorsAlarm/) }, { Ref: expect.stringMatching(/UnhealthyHostsAlarm/) }]);
    expect(props.InsufficientDataPolicy).toBe('FAIL');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'HTTPCode_Target_5XX_Count', Threshold: 3, Period: 120, EvaluationPeriods: 3 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Threshold: 2, Period: 120, EvaluationPeriods: 3 });
  });

  test('generationAlarms can be turned off', () => {
    const { template, deployment } = deploy({ generationAlarms: { enabled: false } });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(releaseProperties(template).AlarmNames).toEqual([]);
    expect(deployment.generationAlarms).toEqual([]);
  });

  test('scaling: CPU and request count target tracking, created only after the release', () => {
    const { template } = deploy({
      scaling: { targetCpuUtilizationPercent: 60, targetRequestsPerInstance: 500, disableScaleIn: true, instanceWarmup: Duration.seconds(90) },
    });
    const release = only(template, 'Custom::ImmutableRelease').id;
    const group = only(template, 'AWS::AutoScaling::AutoScalingGroup').id;
    const policies = Object.values<any>(template.findResources('AWS::AutoScaling::ScalingPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.DependsOn).toEqual([release]);
      expect(policy.Properties).toMatchObject({ AutoScalingGroupName: { Ref: group }, PolicyType: 'TargetTrackingScaling', EstimatedInstanceWarmup: 90 });
    }
    const configs = policies.map(p => p.Properties.TargetTrackingConfiguration);
    expect(configs).toEqual(expect.arrayContaining([
      { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 60, DisableScaleIn: true },
      {
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ALBRequestCountPerTarget',
          ResourceLabel: {
            'Fn::Join': ['', [
              { 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancer/), 'LoadBalancerFullName'] },
              '/',
              { 'Fn::GetAtt': [expect.stringMatching(/TargetGroup/), 'TargetGroupFullName'] },
            ]],
          },
        },
        TargetValue: 500,
        DisableScaleIn: true,
      },
    ]));
  });
});

describe('ImmutableDeployment load balancer props', () => {
  test('internetFacing: public scheme, listener open to the internet', () => {
    const { template } = deploy({ internetFacing: true });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('ELB StackWebLoadBalancer'),
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80 })],
    });
  });

  test('loadBalancerSubnets place the load balancer', () => {
    const { template } = deploy({ loadBalancerSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Subnets: [{ Ref: 'VpcPrivateSubnet1Subnet536B997A' }, { Ref: 'VpcPrivateSubnet2Subnet3788AAA1' }],
    });
  });

  test('certificates: HTTPS on 443 with the recommended TLS policy, and port 80 redirects to it', () => {
    const { stack, vpc } = newStack();
    const cert = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { internetFacing: true, certificates: [elbv2.ListenerCertificate.fromCertificateManager(cert)] }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }],
      SslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }],
    });
    const release = releaseProperties(template);
    const https = Object.entries<any>(template.findResources('AWS::ElasticLoadBalancingV2::Listener')).find(([, l]) => l.Properties.Port === 443)![0];
    expect(release.ListenerArn).toEqual({ Ref: https });
  });

  test('listenerProtocol, listenerPort and sslPolicy', () => {
    const { stack, vpc } = newStack();
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, {
      certificates: [elbv2.ListenerCertificate.fromArn('arn:aws:acm:eu-west-1:123456789012:certificate/abc')],
      listenerProtocol: elbv2.ApplicationProtocol.HTTPS,
      listenerPort: 8443,
      sslPolicy: elbv2.SslPolicy.TLS13_13,
    }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8443, Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ RedirectConfig: Match.objectLike({ Port: '8443' }) })] });
    // Internal: the VPC may reach both listeners.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('ELB StackWebLoadBalancer'),
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ FromPort: 8443 }), Match.objectLike({ FromPort: 80 })]),
    });
  });

  test('accessLogs: the load balancer logs to your bucket', () => {
    const { stack, vpc } = newStack({ env: { account: '123456789012', region: 'eu-west-1' } });
    const bucket = new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true });
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { accessLogs: { bucket, prefix: 'web' } }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^Logs') } },
        { Key: 'access_logs.s3.prefix', Value: 'web' },
      ]),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:PutObject', Effect: 'Allow' })]) },
    });
  });
});

describe('the deployment\'s own load balancer refuses what Elastic Load Balancing would', () => {
  const env = { account: '123456789012', region: 'eu-west-1' };

  test.each([
    ['a bucket encrypted with the AWS-managed KMS key', (stack: Stack) => ({ bucket: new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.KMS_MANAGED }) }),
      /^Stack\/Web: invalid accessLogs\.bucket 'Stack\/Logs': the bucket is encrypted with SSE-KMS \(aws:kms\), and the load balancer writes access logs only to SSE-S3 buckets/],
    ['a bucket in another region', (stack: Stack) => ({ bucket: s3.Bucket.fromBucketAttributes(stack, 'Logs', { bucketName: 'logs', region: 'us-east-1' }) }),
      /invalid accessLogs\.bucket 'Stack\/Logs': the bucket is in us-east-1 and the load balancer in eu-west-1/],
    ['a prefix with AWSLogs', (stack: Stack) => ({ bucket: new s3.Bucket(stack, 'Logs'), prefix: 'AWSLogs/web' }),
      /invalid accessLogs\.prefix 'AWSLogs\/web': Elastic Load Balancing adds AWSLogs\/<account>\/\.\.\. itself/],
    ['a prefix ending in a slash', (stack: Stack) => ({ bucket: new s3.Bucket(stack, 'Logs'), prefix: 'logs/' }),
      /invalid accessLogs\.prefix 'logs\/': the load balancer writes to <prefix>\/AWSLogs\/\.\.\., so a slash at either end makes an empty folder name/],
  ])('access logs to %s', (_what, accessLogs, message) => {
    const { stack, vpc } = newStack({ env });
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, { accessLogs: accessLogs(stack) }))).toThrow(message);
  });

  test('subnets in one Availability Zone', () => {
    const app = new App();
    const stack = new Stack(app, 'Stack', { env });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 1 });
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc)))
      .toThrow(/^Stack\/Web: invalid vpc 'dummy1a': an Application Load Balancer needs subnets in at least two Availability Zones, and these are in one\. Select subnets in two or more/);
  });
});

describe('ImmutableDeployment on a shared listener', () => {
  function shared(conditions?: elbv2.ListenerCondition[]) {
    const { stack, vpc } = newStack();
    const lbGroup = new ec2.SecurityGroup(stack, 'SharedLbGroup', { vpc });
    const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Shared', {
      listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210',
      securityGroup: lbGroup,
    });
    const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, { listener, priority: 20, conditions }));
    return { stack, deployment, template: Template.fromStack(stack) };
  }

  test('no load balancer of its own; the rule goes on your listener at your priority', () => {
    const { deployment, template } = shared();
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 0);
    expect(deployment.loadBalancer).toBeUndefined();
    expect(releaseProperties(template)).toMatchObject({
      ListenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0123456789abcdef/fedcba9876543210',
      Priority: '20',
      Conditions: JSON.stringify([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }]),
    });
  });

  test('conditions are handed over in the ELBv2 API shape', () => {
    const { template } = shared([
      elbv2.ListenerCondition.hostHeaders(['shop.example.com']),
      elbv2.ListenerCondition.pathPatterns(['/api/*']),
      elbv2.ListenerCondition.httpHeader('X-Tenant', ['blue']),
      elbv2.ListenerCondition.queryStrings([{ key: 'v', value: '2' }]),
    ]);
    expect(JSON.parse(releaseProperties(template).Conditions)).toEqual([
      { Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.com'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } },
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Tenant', Values: ['blue'] } },
      { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'v', Value: '2' }] } },
    ]);
  });

  test('the listener\'s load balancer reaches the instances; metrics and scaling use its full name', () => {
    const { stack, deployment, template } = shared();
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 80,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SharedLbGroup'), 'GroupId'] },
    });
    expect(stack.resolve(deployment.metricRequestCount().dimensions)).toEqual({
      LoadBalancer: 'app/shared/0123456789abcdef',
      TargetGroup: { 'Fn::GetAtt': [expect.stringMatching(/TargetGroup/), 'TargetGroupFullName'] },
    });
  });

  test('a listener ARN known only at deploy time still gives the load balancer\'s full name', () => {
    const { stack, vpc } = newStack();
    const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Imported', {
      listenerArn: new CfnParameter(stack, 'ListenerArn').valueAsString,
      securityGroup: new ec2.SecurityGroup(stack, 'G', { vpc }),
    });
    const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, { listener, priority: 7 }));
    expect(stack.resolve(deployment.metricRequestCount().dimensions!.LoadBalancer)).toEqual({
      'Fn::Join': ['/', [1, 2, 3].map(i => ({ 'Fn::Select': [i, { 'Fn::Split': ['/', { Ref: 'ListenerArn' }] }] }))],
    });
  });
});

test('no resource of a deployment has DesiredCapacity, whatever the options', () => {
  for (const overrides of [{}, { capacity: { min: 0, max: 3, desired: 2 } }, { scaling: { targetCpuUtilizationPercent: 50 } }]) {
    const { template } = deploy(overrides);
    for (const group of Object.values<any>(template.findResources('AWS::AutoScaling::AutoScalingGroup'))) {
      expect(Object.keys(group.Properties)).not.toContain('DesiredCapacity');
    }
  }
});

test('the Auto Scaling group and launch template reference the live generation only', () => {
  const { template } = deploy();
  template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
  template.resourceCountIs('AWS::EC2::LaunchTemplate', 1);
  template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
});

test('two stacks may use the same construct paths: each keeps its release state in a table of its own', () => {
  const stacks = ['Blue', 'Green'].map(id => {
    const { stack, vpc } = newStack({}, id);
    new ImmutableDeployment(stack, 'Web', baseProps(vpc));
    return Template.fromStack(stack);
  });
  for (const template of stacks) {
    // No physical table name: CloudFormation names each stack's table, so two never meet.
    expect(only(template, 'AWS::DynamoDB::Table').resource.Properties.TableName).toBeUndefined();
  }
});

test('Windows images get a PowerShell user data and the Windows root device', () => {
  const { stack, vpc } = newStack();
  new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromAmiId(AMI, { osFamily: OsFamily.WINDOWS }) }));
  const lt = only(Template.fromStack(stack), 'AWS::EC2::LaunchTemplate').resource.Properties.LaunchTemplateData;
  expect(lt.UserData).toEqual({ 'Fn::Base64': '<powershell></powershell>' });
  expect(lt.BlockDeviceMappings[0].DeviceName).toBe('/dev/sda1');
});

test('deploy-time capacity and priority stay tokens in the release properties', () => {
  const { stack, vpc } = newStack();
  const min = new CfnParameter(stack, 'Min', { type: 'Number' }).valueAsNumber;
  const priority = new CfnParameter(stack, 'Priority', { type: 'Number' }).valueAsNumber;
  new ImmutableDeployment(stack, 'Web', baseProps(vpc, { capacity: { min, max: 6 }, priority }));
  const template = Template.fromStack(stack);
  expect(releaseProperties(template)).toMatchObject({ MinCapacity: { Ref: 'Min' }, MaxCapacity: '6', Priority: { Ref: 'Priority' } });
  template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: { Ref: 'Min' } });
});
