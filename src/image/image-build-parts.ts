import { Annotations, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { BuildInfrastructure } from './build-infrastructure';
import { RegionDistributionOptions } from './distribution-options';
import { AmiEncryption, regionOutputs } from './distribution-settings';
import { allowFastLaunch, createExecutionRole, grantParameterWrites, needsExecutionRole } from './execution-role';
import { ImageDistribution, ImageIdPublication, SsmParameterOutput } from './image-distribution';
import { tagImageInUse } from './image-in-use';
import { ImageSettings, TEST_TIMEOUT_MINUTES } from './image-settings';
import { OsFamily } from '../common/os-family';
import { invalidProp } from '../private/errors';

/** Each image's parts, so a pipeline given the image through its interface finds them. */
const PARTS = new WeakMap<IConstruct, ImageBuildParts>();

/** What an image builds: an AMI from an image recipe, or a container image from a container recipe. */
export type ImageBuildKind = 'AMI' | 'CONTAINER';

/** The parts a GoldenImage or GoldenContainerImage builds with, made by the image. */
export interface ImageBuildPartsProps {
  /** The base name of the image's Image Builder resources. */
  readonly imageName: string;
  /** The recipe's name; builds of the image have ARNs under it. */
  readonly recipeName: string;
  /** The recipe's ARN (this version). */
  readonly recipeArn: string;
  /** @default 'AMI' */
  readonly kind?: ImageBuildKind;
  readonly infrastructure: BuildInfrastructure;
  /** The distribution configuration's ARN. */
  readonly distributionConfigurationArn: string;
  /** The AMI distribution pipelines add regions and outputs to; none for container images. */
  readonly distribution?: ImageDistribution;
  /** For container images: the ECR repository the builds are pushed to, which scans cover. */
  readonly repositoryName?: string;
  readonly settings: ImageSettings;
  /** The operating system family of the image (what distribution settings apply). */
  readonly osFamily: OsFamily;
  /** True when the image bakes during `cdk deploy`. */
  readonly buildsOnDeploy: boolean;
  /** True when replacing the image resource deregisters the AMI it replaces (amiRemovalPolicy DESTROY). */
  readonly destroysReplacedAmis: boolean;
  /**
   * How the AMI's snapshots are encrypted in the build region, which decides where it may be
   * shared and copied.
   * @default - not encrypted (container images have no AMI)
   */
  readonly amiEncryption?: AmiEncryption;
}

/**
 * What a GoldenImage builds with and what its builds share: the infrastructure configuration
 * (and its notification topic), the one distribution configuration, the test settings, the
 * execution role and the claim on retiring old builds. The deploy-time build and every pipeline
 * of the image use these parts, so the image owns them and the pipelines ask through these
 * methods; whatever is added late is rendered with `Lazy`, and a need registered before the
 * execution role exists is met when it is created, so the order pipelines are added in does
 * not matter.
 */
export class ImageBuildParts {
  /** The build parts of `image`, if it is an image of this library. */
  public static of(image: IConstruct): ImageBuildParts | undefined {
    return PARTS.get(image);
  }

  public readonly imageName: string;
  public readonly recipeName: string;
  public readonly recipeArn: string;
  public readonly kind: ImageBuildKind;
  public readonly infrastructure: BuildInfrastructure;
  public readonly distributionConfigurationArn: string;
  public readonly distribution?: ImageDistribution;
  public readonly repositoryName?: string;
  public readonly settings: ImageSettings;
  public readonly buildsOnDeploy: boolean;
  public readonly destroysReplacedAmis: boolean;
  private readonly amiEncryption?: AmiEncryption;
  public readonly osFamily: OsFamily;

  /** The execution role's ARN, or nothing while no feature needs one; rendered at synth. */
  public readonly executionRoleArn: string = Lazy.string({ produce: () => this.role?.roleArn });

  private role?: iam.IRole;
  private readonly roleCreated = new Latch<iam.IRole>();
  private readonly firstPipeline = new Latch<void>();
  private retiredBy?: IConstruct;
  private warnedOfCopies = false;
  private fastLaunchAllowed = false;
  private readonly deployments = new Set<Construct>();
  private readonly amiProtection = new Latch<void>();

  /** @param owner the image: the execution role is created as its child. */
  constructor(private readonly owner: Construct, props: ImageBuildPartsProps) {
    this.imageName = props.imageName;
    this.recipeName = props.recipeName;
    this.recipeArn = props.recipeArn;
    this.kind = props.kind ?? 'AMI';
    this.infrastructure = props.infrastructure;
    this.distributionConfigurationArn = props.distributionConfigurationArn;
    this.distribution = props.distribution;
    this.repositoryName = props.repositoryName;
    this.settings = props.settings;
    this.buildsOnDeploy = props.buildsOnDeploy;
    this.osFamily = props.osFamily;
    this.destroysReplacedAmis = props.destroysReplacedAmis;
    this.amiEncryption = props.amiEncryption;
    PARTS.set(owner, this);
  }

  /**
   * The ARN of the recipe's latest build (`x.x.x`): what another recipe takes as its parent when
   * no build of this image is made at deploy time.
   */
  public get latestBuildArn(): string {
    const stack = Stack.of(this.owner);
    return `arn:${stack.partition}:imagebuilder:${stack.region}:${stack.account}:image/${this.recipeName}/x.x.x`;
  }

  /** The role Image Builder runs the image's builds with, if a feature has needed one yet. */
  public get executionRole(): iam.IRole | undefined {
    return this.role;
  }

  /**
   * The image's execution role, created on first use. The deploy-time build and every pipeline
   * of the image run with it, since they share the distribution that needs it: a role created
   * now may write every parameter the distribution holds and meets every need registered before.
   */
  public requireExecutionRole(): iam.IRole {
    if (!this.role) {
      const role = createExecutionRole(this.owner);
      this.role = role;
      grantParameterWrites(role, Stack.of(this.owner), this.distribution?.ssmParameters ?? []);
      this.roleCreated.open(role);
    }
    return this.role;
  }

  /** Runs `need` with the execution role: now if it exists, else when a feature creates it. */
  public whenExecutionRole(need: (role: iam.IRole) => void): void {
    this.roleCreated.when(need);
  }

  /** Runs `need` once the image has a pipeline: now if it has one, else when the first comes. */
  public whenPipelined(need: () => void): void {
    this.firstPipeline.when(need);
  }

  /** A pipeline of the image tells its parts it exists; what waited for the first one runs once. */
  public addPipeline(): void {
    this.firstPipeline.open();
  }

  /** Makes `construct` wait for the execution role and its policies, whenever the role comes. */
  public dependOnExecutionRole(construct: IConstruct): void {
    this.whenExecutionRole(role => construct.node.addDependency(role));
  }

  /**
   * Adds a pipeline's distribution entries (checked for `scope`, the pipeline) to the image's
   * one distribution configuration; outputs the service-linked role may not write need the
   * execution role.
   */
  public addDistribution(scope: IConstruct, entries: RegionDistributionOptions[]): void {
    if (entries.length === 0) {
      return;
    }
    const distribution = this.distribution;
    if (!distribution) {
      invalidProp(scope, 'distribution', `${entries.length} region(s)`, 'it distributes AMIs and this pipeline builds a container image',
        'Give the container image\'s own distribution (GoldenContainerImageProps.distribution: other regions\' repositories and container tags)');
    }
    const outputs = regionOutputs(scope, distribution, entries, this.osFamily, this.amiEncryption);
    outputs.forEach(o => distribution.addRegion(o));
    const stack = Stack.of(this.owner);
    const added: SsmParameterOutput[] = outputs.flatMap(o => (o.ssmParameters ?? []).map(p => ({
      ...p,
      region: distribution.isBuildRegion(o.region) ? stack.region : o.region!,
    })));
    if (!this.role && added.some(p => needsExecutionRole(p, stack.account))) {
      this.requireExecutionRole();
    } else if (this.role) {
      grantParameterWrites(this.role, stack, added);
    }
    this.warnOfUnretiredCopies();
    if (!this.fastLaunchAllowed && outputs.some(o => o.fastLaunch)) {
      allowFastLaunch(this.requireExecutionRole());
      this.fastLaunchAllowed = true;
    }
  }

  /** Has every build write its AMI id for a consumer in another deployment (see image-publication.ts). */
  public publishImageId(publication: ImageIdPublication): void {
    const added = this.distribution?.publishImageId(publication);
    if (added && this.role) {
      grantParameterWrites(this.role, Stack.of(this.owner), [added]);
    }
  }

  /** The topic told about every build of the image, if any. */
  public get notificationTopic(): sns.ITopic | undefined {
    return this.infrastructure.notificationTopic;
  }

  /** Tells `topic` about every build of the image; the caller checks that no other topic is set. */
  public notifyTo(topic: sns.ITopic): void {
    this.infrastructure.setNotificationTopic(topic);
  }

  /** Lets the execution role (whenever there is one) use the key of the notification topic. */
  public useNotificationKey(key: kms.IKey): void {
    this.whenExecutionRole(role => key.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt'));
  }

  /**
   * Records that `claimant` retires the image's builds. Returns the path of the construct that
   * claimed them before, if any: two lifecycle policies over the same builds would fight.
   */
  public claimRetirement(claimant: IConstruct): string | undefined {
    const previous = this.retiredBy?.node.path;
    this.retiredBy ??= claimant;
    this.warnOfUnretiredCopies();
    return previous;
  }

  /**
   * The lifecycle policy reaches AMI copies in other accounts only through a role of an exact
   * name in each of them ("Enter Ec2ImageBuilderCrossAccountLifecycleAccess as the Role name.
   * You must use this exact name",
   * https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-prerequisites.html),
   * which this app cannot make there: said once, whichever of the retirement and the copies
   * comes second.
   */
  private warnOfUnretiredCopies(): void {
    const accounts = this.distribution?.targetAccounts ?? [];
    if (!this.retiredBy || accounts.length === 0 || this.warnedOfCopies) {
      return;
    }
    this.warnedOfCopies = true;
    Annotations.of(this.retiredBy).addWarningV2('cdk-immutable-infra:unretiredCopies',
      `the image's AMIs are copied to ${accounts.join(', ')} (copyToAccounts), and Image Builder retires those copies only through a role named `
      + 'Ec2ImageBuilderCrossAccountLifecycleAccess in each account (trusting imagebuilder.amazonaws.com, with EC2ImageBuilderLifecycleExecutionPolicy). '
      + 'Create it there, or the copies stay');
  }

  /**
   * The scanning settings of a build. A container image is scanned in a copy Image Builder
   * pushes to the EcrConfiguration repository, or "If you don't specify a repository name,
   * Image Builder creates the default repository image-builder-image-scanning-repository"
   * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-imagebuilder-image-ecrconfiguration.html).
   * The docs do not say which tag that copy takes; the image's own repository has immutable
   * tags, where a second push under the build's tag would be refused. Safe side: the default
   * repository.
   */
  public scanningConfiguration(enabled: boolean | undefined): imagebuilder.CfnImagePipeline.ImageScanningConfigurationProperty | undefined {
    return enabled === undefined ? undefined : { imageScanningEnabled: enabled };
  }

  /**
   * Records that `deployment` launches the image's AMI `imageId`; once a retirement disables or
   * deletes builds, the AMI carries the in-use tag its rules exclude (see image-in-use.ts).
   */
  public useInDeployment(deployment: Construct, imageId: string): void {
    if (this.deployments.has(deployment)) {
      return;
    }
    this.deployments.add(deployment);
    this.amiProtection.when(() => tagImageInUse(deployment, imageId));
  }

  /**
   * Tags the AMIs of every deployment of the image, now and later, as in use: called by a
   * retirement whose rules disable or delete builds, whether deployments were added before it or after.
   */
  public protectDeployedAmis(): void {
    this.amiProtection.open();
  }

  /** The test settings of a build, from the image's own with a pipeline's overrides. */
  public testsConfiguration(overrides: { readonly tests?: boolean; readonly testTimeout?: Duration } = {}):
  imagebuilder.CfnImage.ImageTestsConfigurationProperty {
    if (!(overrides.tests ?? this.settings.tests)) {
      return { imageTestsEnabled: false };
    }
    const minutes = overrides.testTimeout?.toMinutes() ?? this.settings.testTimeoutMinutes ?? TEST_TIMEOUT_MINUTES.max;
    return { imageTestsEnabled: true, timeoutMinutes: minutes };
  }
}

/**
 * Actions that wait for one event of the image's life (its execution role created, its first
 * pipeline, a retirement that removes AMIs): each runs once, when the event comes, or at once
 * if it has come already.
 */
class Latch<T> {
  private readonly waiting: Array<(value: T) => void> = [];
  private event?: { readonly value: T };

  public when(action: (value: T) => void): void {
    if (this.event) {
      action(this.event.value);
    } else {
      this.waiting.push(action);
    }
  }

  /** The event came: what waited runs, in the order it came; a second call does nothing. */
  public open(value: T): void {
    if (!this.event) {
      this.event = { value };
      this.waiting.splice(0).forEach(action => action(value));
    }
  }
}
