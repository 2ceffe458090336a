import { Lazy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { checkImageBuilderTags } from '../private/image-builder-tags';

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
  readonly instanceTypes: string[];
  readonly vpc?: ec2.IVpc;
  readonly subnetSelection?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly logging?: ImageBuildLogging;
  readonly terminateInstanceOnFailure: boolean;
  readonly keyPair?: ec2.IKeyPair;
  readonly snsTopic?: sns.ITopic;
  /** Tags on the build and test instances. */
  readonly resourceTags?: { [key: string]: string };
}

/**
 * The build and test instances' settings: instance profile, network, instance types, IMDSv2,
 * logging. Changes here update in place and do not rebake the image.
 */
export class BuildInfrastructure extends Construct implements ec2.IConnectable {
  public readonly infrastructureConfigurationArn: string;
  private readonly securityGroupList: ec2.ISecurityGroup[];
  private connectionsOfGroups?: ec2.Connections;
  private topic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: BuildInfrastructureProps) {
    super(scope, id);
    checkResourceTags(scope, props.resourceTags ?? {});
    this.topic = props.snsTopic;
    // The L1 where iam.InstanceProfile put its own, so the logical id stays: nothing here needs
    // the L2's grants or ARN, and it cost every image about half a millisecond at synth.
    const instanceProfile = new iam.CfnInstanceProfile(new Construct(this, 'InstanceProfile'), 'Resource', { roles: [props.role.roleName] });
    const securityGroups = this.securityGroups(props);
    this.securityGroupList = securityGroups;
    this.grantLogging(props);

    const resource = new imagebuilder.CfnInfrastructureConfiguration(this, 'Resource', {
      name: props.name,
      description: props.description,
      instanceProfileName: instanceProfile.ref,
      instanceTypes: props.instanceTypes,
      subnetId: props.vpc ? this.subnetId(props) : undefined,
      securityGroupIds: securityGroups.length > 0 ? securityGroups.map(sg => sg.securityGroupId) : undefined,
      terminateInstanceOnFailure: props.terminateInstanceOnFailure,
      // IMDSv2 only; a hop limit of 2 lets containers built on the instance reach it.
      instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
      keyPair: props.keyPair?.keyPairName,
      // Late-bound: a pipeline can give the image its notification topic after the fact.
      snsTopicArn: Lazy.string({ produce: () => this.topic?.topicArn }),
      // "The tags attached to the resource created by Image Builder": the build and test instances
      // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-imagebuilder-infrastructureconfiguration.html).
      resourceTags: props.resourceTags && Object.keys(props.resourceTags).length > 0 ? props.resourceTags : undefined,
      logging: props.logging ? {
        s3Logs: { s3BucketName: props.logging.bucket.bucketName, s3KeyPrefix: props.logging.prefix ?? 'image-builder/' },
      } : undefined,
    });
    this.infrastructureConfigurationArn = resource.attrArn;
  }

  /**
   * The build instances' security groups, as connections. Made when first asked for: an image
   * that nobody connects to then never loads aws-cdk-lib's EC2 module.
   */
  public get connections(): ec2.Connections {
    this.connectionsOfGroups ??= new ec2.Connections({ securityGroups: this.securityGroupList });
    return this.connectionsOfGroups;
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

/**
 * The build instances' tags (the infrastructure configuration's ResourceTags): "Tag keys can't
 * begin with aws: or match one of the following reserved keys: CreatedBy, Ec2ImageBuilderArn,
 * Name, or Tags", at most 30
 * (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateInfrastructureConfiguration.html).
 */
function checkResourceTags(image: IConstruct, tags: { [key: string]: string }): void {
  checkImageBuilderTags(image, 'buildInstanceTags', tags, { max: 30, what: 'build instance tags', reserved: ['CreatedBy', 'Ec2ImageBuilderArn', 'Name', 'Tags'] });
}
