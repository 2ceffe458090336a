import { Annotations, Duration, Resource, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ImageRetention, ImageRetirement } from './image-retirement';
import { PipelineLogOptions, grantLogWrites, pipelineLogGroups } from './pipeline-logging';
import { PipelineNotificationOptions, setUpNotifications } from './pipeline-notifications';
import { BoundSchedule, PipelineSchedule, RebuildCondition, WeekDay } from './pipeline-schedule';
import { IPipelineImage } from '../common/pipeline-image-interface';
import { containerImageDigest } from '../container/image-digest';
import { BUILD_TAG_KEY, buildTag } from '../image/build-tag';
import { RegionDistributionOptions } from '../image/distribution-options';
import { checkDescription } from '../image/image-build-options';
import { ImageBuildParts } from '../image/image-build-parts';
import { IN_USE_TAG } from '../image/image-in-use';
import { SameDeploymentAttributes } from '../image/image-publication';
import { checkTestTimeout } from '../image/image-settings';
import { IMAGE_BUILDER_EVENT_SOURCE, imageStatePattern } from '../image/image-state-events';
import { invalidProp } from '../private/errors';
import { imageBuilderName } from '../private/names';
import { ImageWorkflow } from '../workflow/image-workflow';
import { ImageWorkflows } from '../workflow/image-workflows';

/**
 * Options of an image pipeline, for `GoldenImage.addPipeline` and `GoldenContainerImage.addPipeline`.
 */
export interface ImagePipelineOptions {
  /**
   * When the pipeline runs on its own.
   *
   * @default - weekly, Sundays at 04:00 UTC
   */
  readonly schedule?: PipelineSchedule;

  /**
   * Whether a scheduled run builds every time, or only when the parent image or an
   * AWS-managed component has a newer version.
   *
   * @default RebuildCondition.WHEN_DEPENDENCIES_UPDATED
   */
  readonly rebuildWhen?: RebuildCondition;

  /**
   * Image Builder disables the pipeline after this many scheduled runs fail in a row (1 to 10);
   * `onPipelineDisabled` reports it.
   *
   * @default 5
   */
  readonly autoDisableAfterFailures?: number;

  /**
   * Whether the pipeline runs on its schedule. A disabled pipeline can still be started by hand.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * A description of the pipeline.
   *
   * @default - none
   */
  readonly description?: string;

  /**
   * Run the image's tests (its `tests` provisioners) on a fresh instance of each build.
   *
   * @default - on when the image has tests
   */
  readonly tests?: boolean;

  /**
   * How long the tests may take, one hour to one day. Image Builder documents this setting as
   * not enforced yet.
   *
   * @default - the image's testTimeout (24 hours unless set)
   */
  readonly testTimeout?: Duration;

  /**
   * Keep Amazon Inspector's findings for each build (`onVulnerabilitiesFound` reports them).
   * Amazon Inspector EC2 scanning (ECR scanning for a container image, which is scanned in
   * the repository it is pushed to) must be active in the account.
   *
   * @default false
   */
  readonly vulnerabilityScanning?: boolean;

  /**
   * Collect each build's software inventory (enhanced image metadata).
   *
   * @default - the image's setting (true)
   */
  readonly enhancedImageMetadata?: boolean;

  /**
   * CloudWatch Logs groups for the builds and the pipeline runs, with a retention.
   *
   * @default - Image Builder's own groups, which keep logs forever
   */
  readonly logging?: PipelineLogOptions;

  /**
   * An SNS topic told about each build's outcome, with optional e-mail subscribers.
   *
   * @default - none, unless the image has a notificationTopic
   */
  readonly notifications?: PipelineNotificationOptions;

  /**
   * Regions, accounts and outputs (SSM parameters, launch templates) for each build's AMI.
   * They go into the image's one distribution configuration, so the deploy-time build
   * distributes alike. AMIs only: a container image's regions are its own `distribution`.
   *
   * @default - the AMI stays in the build region, with no outputs
   */
  readonly distribution?: RegionDistributionOptions[];

  /**
   * Retire old builds of the image (deploy-time and pipeline builds) with an Image Builder
   * lifecycle policy: delete them by count or age (`ImageRetention.count`, `age`), or deprecate,
   * disable and delete them in turn (`ImageRetention.lifecycle`). The newest build is never
   * touched, and an AMI a live ImmutableDeployment of this app launches (tagged
   * `cdk-immutable-infra:in-use`) is never disabled or deleted. For a container image, the
   * images in ECR are deleted. One pipeline per image may set it.
   *
   * @default - every build is kept
   */
  readonly keepImages?: ImageRetention;

  /**
   * With `keepImages`: a build whose AMI launched an instance within this time is never
   * disabled or deleted, so a fleet's current AMI survives (also where the fleet is not an
   * ImmutableDeployment of this app; AMIs only: Image Builder has no such rule for container
   * images). A fleet that launched nothing for longer can
   * lose its AMI once newer builds exist: keep this above your longest quiet period. EC2
   * reports launch times with a delay of up to a day.
   *
   * @default Duration.days(30)
   */
  readonly keepImagesLaunchedWithin?: Duration;

  /**
   * Run the pipeline during `cdk deploy` whenever its configuration changes (a new recipe
   * version, new settings), through an `AWS::ImageBuilder::Image` with pipeline execution
   * settings. CloudFormation waits for the build in its own resource handler, so the
   * custom-resource one-hour limit does not apply; `imageId` is the AMI built.
   *
   * @default false
   */
  readonly runOnDeploy?: boolean;

  /**
   * Build and test workflows of the pipeline's builds: test stages of your own
   * (`ImageWorkflow.testStage`), a manual approval before distribution
   * (`ImageWorkflow.manualApproval`, told through `notifications` or the image's topic) or
   * workflow documents (`ImageWorkflow.fromDocument`). Image Builder's own build workflow
   * (and its test workflow, when the builds run the image's tests) still runs unless a build
   * workflow of yours replaces it; the builds run with the image's execution role. At most
   * 10 workflows run per build, Image Builder's own included. AMI images only.
   *
   * @default - Image Builder's default build and test workflows
   */
  readonly workflows?: ImageWorkflow[];
}

/**
 * Properties of an ImagePipeline.
 */
export interface ImagePipelineProps extends ImagePipelineOptions {
  /**
   * The image the pipeline rebakes (a GoldenImage or a GoldenContainerImage), with the image's
   * own recipe, infrastructure and distribution.
   */
  readonly image: IPipelineImage;
}

/**
 * Options of the vulnerability event rule.
 */
export interface VulnerabilityEventOptions extends events.OnEventOptions {
  /**
   * Report scans with at least one finding of this severity or worse.
   *
   * @default - any finding Image Builder counts (medium, high or critical)
   */
  readonly minimumSeverity?: VulnerabilitySeverity;
}

/** Severities Image Builder counts in its vulnerability events. */
export enum VulnerabilitySeverity {
  /** Medium, high or critical. */
  MEDIUM = 'MEDIUM',
  /** High or critical. */
  HIGH = 'HIGH',
  /** Critical only. */
  CRITICAL = 'CRITICAL',
}

const AUTO_DISABLE = { min: 1, max: 10, default: 5 };

/** How another stack uses a pipeline's build without importing a per-bake value. */
const OTHER_STACK_FIX = 'In another stack read the AMI id from an SSM parameter the pipeline\'s distribution writes '
  + '(DeploymentImage.fromSsmParameterLookup), or let the image bake at deploy and use DeploymentImage.fromGoldenImage(image)';

/**
 * An EC2 Image Builder pipeline that rebakes a golden image on a schedule (or when its parent
 * updates), with the image's own recipe, infrastructure and distribution configurations; it can
 * run at deploy, notify, distribute, publish the AMI id and retire old builds.
 */
export class ImagePipeline extends Resource {
  /** The pipeline's ARN. */
  public readonly pipelineArn: string;

  /** The pipeline's name. */
  public readonly pipelineName: string;

  /** The image the pipeline rebakes. */
  public readonly image: IPipelineImage;

  /** The topic told about each build's outcome, if any. */
  public readonly notificationTopic?: sns.ITopic;

  /** The lifecycle policy retiring old builds, if `keepImages` is set. */
  public readonly lifecyclePolicyArn?: string;

  private readonly parts: ImageBuildParts;
  private readonly resource: imagebuilder.CfnImagePipeline;
  private readonly deployRun?: imagebuilder.CfnImage;
  private readonly scanning: boolean;
  private readonly perBake = new SameDeploymentAttributes(this, OTHER_STACK_FIX);

  constructor(scope: Construct, id: string, props: ImagePipelineProps) {
    super(scope, id);
    this.image = props.image;
    this.parts = buildPartsOf(this, props.image);
    const name = imageBuilderName(this).toLowerCase();
    this.validateProps(props);
    this.scanning = props.vulnerabilityScanning ?? false;

    this.parts.addDistribution(this, props.distribution ?? []);
    // What waits for the image's first pipeline (VM exports of its bakes) runs now.
    this.parts.addPipeline();
    const notifications = props.notifications ? setUpNotifications(this, this.parts, props.notifications) : undefined;
    this.notificationTopic = notifications?.topic ?? this.parts.notificationTopic;
    const logging = props.logging ? this.createLogging(name, props.logging) : undefined;
    const schedule = (props.schedule ?? PipelineSchedule.weekly({ day: WeekDay.SUNDAY, hour: 4 }))._bind(this, 'schedule');
    const recipeTests = props.tests ?? this.parts.settings.tests;
    const workflows = (props.workflows ?? []).length === 0 ? undefined : new ImageWorkflows(this, 'Workflows', {
      workflows: props.workflows!,
      owner: this,
      prop: 'workflows',
      parts: this.parts,
      osFamily: this.parts.osFamily,
      recipeTests,
      defaultTopic: this.notificationTopic,
    });

    this.resource = new imagebuilder.CfnImagePipeline(this, 'Resource', {
      name,
      description: props.description,
      ...(this.parts.kind === 'CONTAINER' ? { containerRecipeArn: this.parts.recipeArn } : { imageRecipeArn: this.parts.recipeArn }),
      infrastructureConfigurationArn: this.parts.infrastructure.infrastructureConfigurationArn,
      distributionConfigurationArn: this.parts.distributionConfigurationArn,
      status: props.enabled === false ? 'DISABLED' : 'ENABLED',
      // Test workflows run only in builds whose tests are on.
      imageTestsConfiguration: this.parts.testsConfiguration({ ...props, tests: recipeTests || (workflows?.hasTests ?? false) }),
      workflows: workflows?.configurations,
      imageScanningConfiguration: this.parts.scanningConfiguration(props.vulnerabilityScanning),
      enhancedImageMetadataEnabled: props.enhancedImageMetadata ?? this.parts.settings.enhancedImageMetadata,
      loggingConfiguration: logging,
      // Shared with the image: a later pipeline may be the one that needs the role.
      executionRole: this.parts.executionRoleArn,
      schedule: this.schedule(props, schedule),
    });
    this.addRawProperties(schedule);
    this.pipelineArn = this.resource.attrArn;
    this.pipelineName = this.resource.attrName;

    if (notifications?.key) {
      this.parts.useNotificationKey(notifications.key);
    }
    if (props.keepImages) {
      this.lifecyclePolicyArn = this.createRetirement(props, props.keepImages, schedule);
    }
    if (props.runOnDeploy) {
      this.deployRun = this.createDeployRun();
      if (workflows?.hasApproval) {
        Annotations.of(this).addWarningV2('cdk-immutable-infra:deployWaitsForApproval',
          'workflows: with runOnDeploy, `cdk deploy` waits for the manual approval of the run it starts (CloudFormation waits for the image) until someone '
          + 'sends RESUME with `aws imagebuilder send-workflow-step-action` or the wait times out');
      }
    }
  }

  /**
   * The AMI id built by the deploy-time run (`runOnDeploy`).
   *
   * @attribute
   */
  public get imageId(): string {
    if (this.parts.kind === 'CONTAINER') {
      throw new Error(`${this.node.path}: imageId is an AMI id, and this pipeline builds a container image. Use imageUri`);
    }
    return this.perBake.guard('imageId', this.deployTimeRun('imageId').attrImageId);
  }

  /**
   * The URI of the container image built by the deploy-time run (`runOnDeploy`) of a
   * GoldenContainerImage's pipeline.
   *
   * @attribute
   */
  public get imageUri(): string {
    return this.perBake.guard('imageUri', this.containerAttribute('imageUri').attrImageUri);
  }

  /**
   * The digest (`sha256:…`) of the container image built by the deploy-time run (`runOnDeploy`)
   * of a GoldenContainerImage's pipeline, read from ECR after the build. It changes with every
   * run; the first read adds the lookup, so a stack that never reads it has none.
   *
   * @attribute
   */
  public get imageDigest(): string {
    const uri = this.containerAttribute('imageDigest').attrImageUri;
    return this.perBake.guard('imageDigest', containerImageDigest(this, uri, this.parts.repositoryName!));
  }

  /**
   * The ARN of the Image Builder image (build version) of the deploy-time run (`runOnDeploy`).
   *
   * @attribute
   */
  public get imageArn(): string {
    return this.perBake.guard('imageArn', this.deployTimeRun('imageArn').attrArn);
  }

  /** Lets the grantee start the pipeline. */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['imagebuilder:StartImagePipelineExecution'],
      resourceArns: [this.pipelineArn],
    });
  }

  /**
   * A rule for builds of this pipeline's image that became AVAILABLE (event "EC2 Image Builder
   * Image State Change"). The event names the build, not the pipeline: builds of the image from
   * elsewhere (the deploy-time build, another pipeline of the image) match too.
   */
  public onImageBuilt(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.imageStateRule(id, options, 'AVAILABLE');
  }

  /** A rule for builds of this pipeline's image that FAILED (see `onImageBuilt`). */
  public onImageFailed(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.imageStateRule(id, options, 'FAILED');
  }

  /**
   * A rule for this pipeline's vulnerability scans with findings (event "EC2 Image Builder CVE
   * Detected", sent when `vulnerabilityScanning` is on).
   */
  public onVulnerabilitiesFound(id: string, options: VulnerabilityEventOptions = {}): events.Rule {
    if (!this.scanning) {
      Annotations.of(this).addWarningV2('cdk-immutable-infra:scanningOff',
        `onVulnerabilitiesFound('${id}'): vulnerabilityScanning is off, so Image Builder sends no vulnerability events. Set vulnerabilityScanning: true`);
    }
    const counts = severityCounts(options.minimumSeverity ?? VulnerabilitySeverity.MEDIUM);
    return this.rule(id, options, {
      source: [IMAGE_BUILDER_EVENT_SOURCE],
      detailType: ['EC2 Image Builder CVE Detected'],
      resources: [this.pipelineArn],
      detail: { 'finding-severity-counts': counts },
    });
  }

  /**
   * A rule for Image Builder disabling this pipeline after `autoDisableAfterFailures` failed
   * scheduled runs (event "EC2 Image Builder Image Pipeline Automatically Disabled").
   */
  public onPipelineDisabled(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.rule(id, options, {
      source: [IMAGE_BUILDER_EVENT_SOURCE],
      detailType: ['EC2 Image Builder Image Pipeline Automatically Disabled'],
      resources: [this.pipelineArn],
    });
  }

  private validateProps(props: ImagePipelineProps): void {
    const failures = props.autoDisableAfterFailures;
    const outOfRange = (n: number) => !Number.isInteger(n) || n < AUTO_DISABLE.min || n > AUTO_DISABLE.max;
    if (failures !== undefined && !Token.isUnresolved(failures) && outOfRange(failures)) {
      invalidProp(this, 'autoDisableAfterFailures', failures, `Image Builder disables a pipeline after ${AUTO_DISABLE.min} to ${AUTO_DISABLE.max} failed runs in a row`,
        `Give a whole number from ${AUTO_DISABLE.min} to ${AUTO_DISABLE.max}`);
    }
    checkTestTimeout(this, props.testTimeout);
    checkDescription(this, 'description', props.description);
    if (props.schedule?.isManual && (props.rebuildWhen !== undefined || failures !== undefined)) {
      Annotations.of(this).addWarningV2('cdk-immutable-infra:manualScheduleSettings',
        'rebuildWhen and autoDisableAfterFailures apply to scheduled runs only, and the schedule is manual()');
    }
    if (props.keepImagesLaunchedWithin && this.parts.kind === 'CONTAINER') {
      invalidProp(this, 'keepImagesLaunchedWithin', props.keepImagesLaunchedWithin.toHumanString(), 'Image Builder keeps builds by when they last launched an instance for AMIs only, and this pipeline builds a container image',
        'Remove keepImagesLaunchedWithin; keepImages alone decides which container images stay');
    }
    if ((props.workflows ?? []).length > 0 && this.parts.kind === 'CONTAINER') {
      // Container builds have workflows of their own (build-container, test-container: "For
      // container workflows, the tests run on the same instance that was used for building",
      // https://docs.aws.amazon.com/imagebuilder/latest/userguide/manage-image-workflows.html), and a
      // test stage launches an instance of the build's AMI, which a container build does not make.
      invalidProp(this, 'workflows', `${props.workflows!.length} workflow(s)`, 'workflows run in AMI builds, and this pipeline builds a container image',
        'Remove workflows; give the container image\'s checks as its validations or tests');
    }
    if (props.keepImagesLaunchedWithin && !props.keepImages) {
      Annotations.of(this).addWarningV2('cdk-immutable-infra:launchedWithinWithoutRetention',
        'keepImagesLaunchedWithin has no effect without keepImages');
    }
    if (props.runOnDeploy && this.parts.buildsOnDeploy) {
      Annotations.of(this).addWarningV2('cdk-immutable-infra:twoBakesPerDeploy',
        `runOnDeploy: the image ${this.image.node.path} also bakes during deployment, so a change bakes twice. `
        + 'Set buildOnDeploy: false on the image and use this pipeline\'s imageId');
    }
  }

  private schedule(props: ImagePipelineProps, schedule: BoundSchedule): imagebuilder.CfnImagePipeline.ScheduleProperty | undefined {
    if (schedule.expression === undefined) {
      return undefined;
    }
    return {
      scheduleExpression: schedule.expression,
      pipelineExecutionStartCondition: props.rebuildWhen ?? RebuildCondition.WHEN_DEPENDENCIES_UPDATED,
      // Rendered even at Image Builder's documented default, which older documentation disagrees on.
      autoDisablePolicy: { failureCount: props.autoDisableAfterFailures ?? AUTO_DISABLE.default },
    };
  }

  /**
   * Properties newer than the oldest aws-cdk-lib this library supports (2.223.0): written as
   * raw CloudFormation, which the service takes whatever the CDK version.
   */
  private addRawProperties(schedule: BoundSchedule): void {
    // Images the pipeline builds carry the image's build tag, which retirement selects by.
    this.resource.addPropertyOverride('ImageTags', buildTag(this.image.imageName));
    if (schedule.expression !== undefined && schedule.timeZone !== undefined) {
      this.resource.addPropertyOverride('Schedule.Timezone', schedule.timeZone);
    }
  }

  private createLogging(name: string, options: PipelineLogOptions): imagebuilder.CfnImagePipeline.PipelineLoggingConfigurationProperty {
    const groups = pipelineLogGroups(this, name, options);
    if (groups.needingExecutionRole.length > 0) {
      grantLogWrites(groups.needingExecutionRole, [this.parts.requireExecutionRole(), this.image.role]);
    }
    return { imageLogGroupName: groups.imageLogGroup.logGroupName, pipelineLogGroupName: groups.pipelineLogGroup.logGroupName };
  }

  private createRetirement(props: ImagePipelineProps, retention: ImageRetention, schedule: BoundSchedule): string {
    const owner = this.parts.claimRetirement(this);
    if (owner) {
      invalidProp(this, 'keepImages', 'ImageRetention', `the builds of ${this.image.node.path} are already retired by ${owner}, and two lifecycle policies over the same builds would fight`,
        'Set keepImages on one pipeline of the image only, and give the image no deprecateAfter (put a deprecate rule in keepImages instead)');
    }
    const containers = this.parts.kind === 'CONTAINER';
    const retirement = new ImageRetirement(this, 'Retirement', {
      owner: this,
      prop: 'keepImages',
      name: imageBuilderName(this, 'retirement').toLowerCase(),
      imageName: this.image.imageName,
      selectionTag: { key: BUILD_TAG_KEY, value: this.image.imageName },
      retention,
      // Last-launched exclusions exist for AMIs only.
      keepLaunchedWithin: containers ? undefined : props.keepImagesLaunchedWithin ?? Duration.days(30),
      keepLaunchedWithinProp: 'keepImagesLaunchedWithin',
      context: {
        resourceType: containers ? 'CONTAINER_IMAGE' : 'AMI_IMAGE',
        ownerDescription: 'the pipeline',
        // Only a schedule that builds every time keeps its gaps; one waiting for updates can wait longer.
        buildIntervalDays: schedule.intervalDays,
        scheduleDescription: 'the pipeline\'s schedule',
        inUseAmiTags: containers ? undefined : { [IN_USE_TAG.key]: IN_USE_TAG.value },
      },
    });
    if (retirement.stopsLaunches) {
      this.parts.protectDeployedAmis();
    }
    return retirement.lifecyclePolicyArn;
  }

  private createDeployRun(): imagebuilder.CfnImage {
    // Recipe and infrastructure come from the pipeline; CloudFormation refuses them alongside
    // pipeline execution settings.
    const run = new imagebuilder.CfnImage(this, 'DeployRun', {
      imagePipelineExecutionSettings: { deploymentId: this.resource.attrDeploymentId, onUpdate: true },
      tags: buildTag(this.image.imageName),
    });
    // The build's distribution writes with the execution role: its policies must be in place.
    this.parts.dependOnExecutionRole(run);
    return run;
  }

  /** The deploy-time run, for an attribute of a container image's build. */
  private containerAttribute(attribute: string): imagebuilder.CfnImage {
    if (this.parts.kind !== 'CONTAINER') {
      throw new Error(`${this.node.path}: ${attribute} is an attribute of a container image, and this pipeline builds an AMI. Use imageId`);
    }
    return this.deployTimeRun(attribute);
  }

  private deployTimeRun(attribute: string): imagebuilder.CfnImage {
    if (!this.deployRun) {
      throw new Error(`${this.node.path}: ${attribute} is only available with runOnDeploy: true (the pipeline otherwise builds outside deployments). `
        + 'Set runOnDeploy, or read the AMI id the pipeline publishes to its SSM parameter');
    }
    return this.deployRun;
  }

  private imageStateRule(id: string, options: events.OnEventOptions, status: string): events.Rule {
    return this.rule(id, options, imageStatePattern(this, this.parts.recipeName, status));
  }

  private rule(id: string, options: events.OnEventOptions, pattern: events.EventPattern): events.Rule {
    const rule = new events.Rule(this, id, options);
    rule.addTarget(options.target);
    rule.addEventPattern(pattern);
    return rule;
  }
}

/** The build parts of an image of this library; another implementation of the interface has none. */
function buildPartsOf(pipeline: Construct, image: IPipelineImage): ImageBuildParts {
  const parts = ImageBuildParts.of(image);
  if (!parts) {
    invalidProp(pipeline, 'image', image.node.path, 'it is not a GoldenImage or GoldenContainerImage of this library, whose recipe, infrastructure and distribution the pipeline builds with',
      'Give a GoldenImage or a GoldenContainerImage');
  }
  return parts;
}

function severityCounts(minimum: VulnerabilitySeverity): Record<string, unknown> {
  const above = events.Match.greaterThan(0);
  switch (minimum) {
    case VulnerabilitySeverity.CRITICAL:
      return { critical: above };
    case VulnerabilitySeverity.HIGH:
      return { $or: [{ critical: above }, { high: above }] };
    default:
      // `all` counts critical, high and medium findings.
      return { all: above };
  }
}
