import { Lazy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * Where Image Builder writes the build's logs.
 */
export interface ImageBuildLogging {
  /** The bucket that receives the AWSTOE logs of every build. */
  readonly bucket: s3.IBucket;

  /**
   * Key prefix for the logs.
   *
   * @default 'image-builder/'
   */
  readonly prefix?: string;
}

/** Internal props of the build infrastructure. */
export interface BuildInfrastructureProps {
  readonly name: string;
  readonly description?: string;
  readonly role: iam.IRole;
  readonly instanceTypes: ec2.InstanceType[];
  readonly vpc?: ec2.IVpc;
  readonly subnetSelection?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly logging?: ImageBuildLogging;
  readonly terminateInstanceOnFailure: boolean;
  readonly keyPair?: ec2.IKeyPair;
  readonly snsTopic?: sns.ITopic;
}

/**
 * The build and test instances' settings: instance profile, network, instance types, IMDSv2,
 * logging. Changes here update in place and do not rebake the image.
 */
export class BuildInfrastructure extends Construct implements ec2.IConnectable {
  public readonly infrastructureConfigurationArn: string;
  public readonly connections: ec2.Connections;
  public readonly instanceProfile: iam.IInstanceProfile;
  private topic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: BuildInfrastructureProps) {
    super(scope, id);
    this.topic = props.snsTopic;
    this.instanceProfile = new iam.InstanceProfile(this, 'InstanceProfile', { role: props.role });
    const securityGroups = this.securityGroups(props);
    this.connections = new ec2.Connections({ securityGroups });
    this.grantLogging(props);

    const resource = new imagebuilder.CfnInfrastructureConfiguration(this, 'Resource', {
      name: props.name,
      description: props.description,
      instanceProfileName: this.instanceProfile.instanceProfileName,
      instanceTypes: props.instanceTypes.map(t => t.toString()),
      subnetId: props.vpc ? this.subnetId(props) : undefined,
      securityGroupIds: securityGroups.length > 0 ? securityGroups.map(sg => sg.securityGroupId) : undefined,
      terminateInstanceOnFailure: props.terminateInstanceOnFailure,
      // IMDSv2 only; a hop limit of 2 lets containers built on the instance reach it.
      instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
      keyPair: props.keyPair?.keyPairName,
      // Late-bound: a pipeline can give the image its notification topic after the fact.
      snsTopicArn: Lazy.string({ produce: () => this.topic?.topicArn }),
      logging: props.logging ? {
        s3Logs: { s3BucketName: props.logging.bucket.bucketName, s3KeyPrefix: props.logging.prefix ?? 'image-builder/' },
      } : undefined,
    });
    this.infrastructureConfigurationArn = resource.attrArn;
  }

  /** The topic told about every build of the image, if any. */
  public get notificationTopic(): sns.ITopic | undefined {
    return this.topic;
  }

  /** Sets the topic; the caller checks that none was set before. */
  public setNotificationTopic(topic: sns.ITopic): void {
    if (this.topic && this.topic !== topic) {
      throw new Error(`${this.node.path}: the build infrastructure already notifies ${this.topic.node.path}`);
    }
    this.topic = topic;
  }

  private securityGroups(props: BuildInfrastructureProps): ec2.ISecurityGroup[] {
    if (props.securityGroups && props.securityGroups.length > 0) {
      return props.securityGroups;
    }
    if (!props.vpc) {
      return [];
    }
    // Image Builder reaches the instance through SSM Agent: egress only, nothing inbound.
    return [new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Image Builder build and test instances: outbound only (SSM, S3, package mirrors)',
      allowAllOutbound: true,
    })];
  }

  private subnetId(props: BuildInfrastructureProps): string {
    const selected = props.vpc!.selectSubnets(props.subnetSelection);
    return selected.subnetIds[0];
  }

  private grantLogging(props: BuildInfrastructureProps): void {
    if (props.logging) {
      props.logging.bucket.grantPut(props.role, `${props.logging.prefix ?? 'image-builder/'}*`);
    }
  }
}
