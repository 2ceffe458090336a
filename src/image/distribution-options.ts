import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ssm from 'aws-cdk-lib/aws-ssm';

/**
 * Who may launch instances from the AMI in a region, besides its owner.
 */
export interface LaunchPermissionOptions {
  /**
   * AWS account ids.
   *
   * @default - none
   */
  readonly accounts?: string[];

  /**
   * AWS Organizations organization ARNs (every account in the organization).
   *
   * @default - none
   */
  readonly organizationArns?: string[];

  /**
   * AWS Organizations organizational unit ARNs (every account in the OU and its children).
   *
   * @default - none
   */
  readonly organizationalUnitArns?: string[];

  /**
   * Make the AMI public: anyone can launch it. Never set this for an image that holds
   * anything private.
   *
   * @default false
   */
  readonly public?: boolean;
}

/**
 * An SSM parameter that each build's AMI id is written to.
 */
export interface SsmParameterOutputOptions {
  /**
   * The parameter's name, for example `/golden/web/latest`; created if missing. Names outside
   * `/imagebuilder/` need an execution role, which the library creates.
   */
  readonly parameterName: string;

  /**
   * The account that owns the parameter; it must also be one of the region's `copyToAccounts`.
   *
   * @default - the stack's account
   */
  readonly account?: string;

  /**
   * The parameter's data type. `aws:ec2:image` makes Systems Manager check that the value is
   * an AMI id, and lets launch templates use `resolve:ssm:`.
   *
   * @default ssm.ParameterDataType.AWS_EC2_IMAGE
   */
  readonly dataType?: ssm.ParameterDataType;
}

/**
 * A launch template that gets a new version with each build's AMI id.
 */
export interface LaunchTemplateOutputOptions {
  /** The launch template (its id is needed). */
  readonly launchTemplate: ec2.ILaunchTemplate;

  /**
   * The account that owns the launch template.
   *
   * @default - the stack's account
   */
  readonly account?: string;

  /**
   * Make the new version the template's default version.
   *
   * @default true
   */
  readonly setDefaultVersion?: boolean;
}

/**
 * EC2 Fast Launch for a Windows AMI in one region: EC2 launches instances from the AMI ahead of
 * time, runs Sysprep and the first boot, and keeps snapshots of them, so instances launch faster.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/win-ami-config-fast-launch.html
 */
export interface FastLaunchOptions {
  /**
   * The launch template of the instances EC2 launches to make the pre-provisioned snapshots
   * (its id is needed), in the entry's region: to place them in a VPC of yours (the template
   * names the subnet). EC2 refuses templates with user data, termination protection, disabled
   * instance metadata, Spot options or a shutdown behaviour that terminates.
   *
   * @default - EC2 Fast Launch creates a CloudFormation stack of its own in the account (a VPC,
   * private subnets, a launch template requiring IMDSv2, a security group without rules)
   */
  readonly launchTemplate?: ec2.ILaunchTemplate;

  /**
   * How many of those instances EC2 may launch at once: 6 or more (EC2 EnableFastLaunch).
   * EC2's default quota is 40 across all AMIs of an account in a region; more warns at synth.
   *
   * @default - EC2's default
   */
  readonly maxParallelLaunches?: number;

  /**
   * How many pre-provisioned snapshots EC2 keeps ready: 1 to 10,000.
   *
   * @default - EC2's default
   */
  readonly targetSnapshots?: number;

  /**
   * The account whose AMI gets Fast Launch. Image Builder enables it only in the account that
   * builds the AMI (Fast Launch on a copy in another account is enabled from that account), so
   * only the stack's account is taken.
   *
   * @default - the stack's account
   */
  readonly account?: string;
}

/**
 * Where an image's AMI goes in one region and what is updated there. An entry for the build
 * region (the stack's region) adds to what the build leaves there; an entry for another region
 * copies the AMI to it.
 */
export interface RegionDistributionOptions {
  /**
   * The region.
   *
   * @default - the build region (the stack's region)
   */
  readonly region?: string;

  /**
   * The KMS key that encrypts the AMI's copies in this region (other regions, and copies to
   * other accounts). The build region's own AMI is encrypted as the image's root volume says.
   *
   * @default - the region's default EBS encryption key
   */
  readonly kmsKey?: kms.IKey;

  /**
   * Accounts the AMI is copied to in this region (each needs the
   * `EC2ImageBuilderDistributionCrossAccountRole` role).
   *
   * @default - none
   */
  readonly copyToAccounts?: string[];

  /**
   * Who may launch the AMI in this region.
   *
   * @default - only the owner
   */
  readonly launchPermissions?: LaunchPermissionOptions;

  /**
   * Tags put on the AMI in this region, on top of the image's `amiTags`.
   *
   * @default - the image's amiTags only
   */
  readonly amiTags?: { [key: string]: string };

  /**
   * SSM parameters that receive the AMI id in this region.
   *
   * @default - none
   */
  readonly ssmParameters?: SsmParameterOutputOptions[];

  /**
   * Launch templates in this region that get a new version with the AMI id.
   *
   * @default - none
   */
  readonly launchTemplates?: LaunchTemplateOutputOptions[];

  /**
   * EC2 Fast Launch for the AMI in this region (Windows images only).
   *
   * @default - no Fast Launch
   */
  readonly fastLaunch?: FastLaunchOptions;

  /**
   * AWS License Manager license configurations the AMI is associated with in this region, by ARN.
   *
   * @default - none
   */
  readonly licenseConfigurationArns?: string[];
}
