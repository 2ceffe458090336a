import { Annotations, Duration, RemovalPolicy, Resource, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { Construct } from 'constructs';
import { amiDeletionRole } from './ami-deletion-role';
import { BUILD_DATE, AMI_NAME_MAX, hasBuildVariable, translateAmiName } from './ami-name';
import { BuildInfrastructure } from './build-infrastructure';
import { DataVolumeOptions } from './build-instance';
import { BUILD_TAG_KEY, buildTag } from './build-tag';
import type { AmiEncryption } from './distribution-settings';
import { ImageBuildOptions, buildSettings, checkBuildOptions, createBuildInfrastructure } from './image-build-options';
import { ImageBuildParts } from './image-build-parts';
import { ImageDistribution } from './image-distribution';
import { SameDeploymentAttributes, inSameDeployment, publishedImageId } from './image-publication';
import { createRecipe } from './image-recipe';
import { createInstanceRole } from './instance-role';
import { ParentImage, ParentImageConfig } from './parent-image';
import { VmExport, VmExports, checkVmExports } from './vm-export';
import { DeploymentImageConfig, IDeploymentImage, bakedImageConfig } from '../common/deployment-image-interface';
import { IGoldenImage } from '../common/golden-image-interface';
import { OsFamily } from '../common/os-family';
import { IPipelineImage } from '../common/pipeline-image-interface';
import { RootVolumeOptions } from '../common/root-volume';
import { ImagePipeline, ImagePipelineOptions } from '../pipeline/image-pipeline';
import { ImageRetention, ImageRetirement } from '../pipeline/image-retirement';
import { ARM_64 } from '../private/ec2-values';
import { invalidProp } from '../private/errors';
import { contentHash } from '../private/hash';
import { AMI_TAGS, checkImageBuilderTags } from '../private/image-builder-tags';
import { imageBuilderName } from '../private/names';
import { ImageWorkflow } from '../workflow/image-workflow';
import { ImageWorkflows } from '../workflow/image-workflows';

/**
 * Properties of a GoldenImage.
 */
export interface GoldenImageProps extends ImageBuildOptions {
  /** The image to start from (Packer's `source_ami` / `source_ami_filter`). */
  readonly parentImage: ParentImage;

  /**
   * The AMI's name. Packer's `{{timestamp}}`, `{{isotime}}` and `{{uuid}}` become Image Builder's
   * build variables; it must hold one of them (or `{{ imagebuilder:buildDate }}`) so every bake's
   * AMI name is unique.
   *
   * @default - the image's name followed by `{{ imagebuilder:buildDate }}`
   */
  readonly amiName?: string;

  /**
   * Tags put on the AMI (Packer's `tags`).
   *
   * @default - none
   */
  readonly amiTags?: { [key: string]: string };

  /**
   * The root volume of the build instance and the AMI.
   *
   * @default - encrypted gp3 of the parent's size
   */
  readonly rootVolume?: RootVolumeOptions;

  /**
   * EBS data volumes of the build instance beyond the root volume, encrypted by default. The AMI
   * keeps them in its block device mappings, so instances launched from it get them too.
   *
   * @default - the root volume only
   */
  readonly dataVolumes?: DataVolumeOptions[];

  /**
   * A script the build and test instances run at launch instead of Image Builder's own user
   * data (base64-encoded for you). On Linux Image Builder's user data installs the SSM agent
   * where the parent lacks one: the script must then install it, or the build cannot start.
   *
   * @default - Image Builder's user data
   */
  readonly userDataOverride?: string;

  /**
   * Collect the image's software inventory (enhanced image metadata).
   *
   * @default true
   */
  readonly enhancedImageMetadata?: boolean;

  /**
   * What happens to a deploy-time AMI when CloudFormation removes its image resource. DESTROY
   * deregisters the AMI and deletes its snapshots; keep RETAIN wherever a fleet may still launch it.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly amiRemovalPolicy?: RemovalPolicy;

  /**
   * Deprecate each build (the Image Builder image and its AMIs in every region) once it is this
   * old, in whole days: the AMI still launches, but leaves ordinary DescribeImages results, as
   * Packer's `deprecate_at` does. An Image Builder lifecycle policy does it, which runs once a
   * day. For a pipeline of the image, give the deprecation in the pipeline's `keepImages`
   * instead (`ImageRetention.lifecycle({ deprecate })`): one lifecycle policy per image.
   *
   * @default - builds are not deprecated
   */
  readonly deprecateAfter?: Duration;

  /**
   * Export each build's AMI as a VM disk (VMDK, VHD or RAW) to an S3 bucket, with VM
   * Import/Export, for VMware, VirtualBox, Hyper-V or Vagrant. The file lands at
   * `s3://<bucket>/<prefix>export-ami-<task id>.<format>`. The deploy-time build's location is
   * `exportedDiskLocations`, and its copy goes on after the deployment ends; every bake of the
   * image's pipelines is exported alike when it becomes available (an EventBridge rule starts a
   * state machine that calls ExportImage), its task id in the state machine's execution and in
   * `aws ec2 describe-export-image-tasks`. VM Import/Export refuses AMIs with encrypted
   * snapshots, so the image needs `rootVolume: { encrypted: false }` and an unencrypted parent;
   * Windows images cannot be exported.
   *
   * @default - no export
   */
  readonly vmExports?: VmExport[];

  /**
   * Keep the SSM agent in the AMI. On a Linux parent that ships without it (Debian, RHEL, the
   * Amazon Linux 2023 minimal AMI), Image Builder installs the agent for the build and, unless
   * told otherwise, removes it again before the AMI is made: instances launched from such an AMI
   * cannot be reached through Session Manager, the only way into an ImmutableDeployment's fleet.
   * Set false only for images that must not carry the agent. On a Windows parent the recipe
   * carries no agent setting (Image Builder rejects one there, and never installs or removes
   * the agent AWS's Windows AMIs ship), so false is refused.
   *
   * @default true
   */
  readonly keepSsmAgent?: boolean;

  /**
   * Add a validate step that fails the bake unless the SSM agent is installed and starts at
   * boot (`systemctl is-enabled`, or the AmazonSSMAgent service's start type on Windows), so a
   * provisioner that removes or disables the agent fails the build rather than shipping an
   * image nobody can reach. The step is one component per stack and OS family, shared by the
   * stack's images.
   *
   * @default - true when keepSsmAgent is true
   */
  readonly verifySsmAgent?: boolean;

  /**
   * Build and test workflows of the deploy-time build: test stages of your own
   * (`ImageWorkflow.testStage`), a manual approval before distribution
   * (`ImageWorkflow.manualApproval`) or workflow documents (`ImageWorkflow.fromDocument`).
   * Image Builder's own build workflow (and its test workflow, when the image has `tests`)
   * still runs unless a build workflow of yours replaces it; the build runs with the image's
   * execution role. For pipeline bakes give the pipeline's `workflows`.
   *
   * @default - Image Builder's default build and test workflows
   */
  readonly workflows?: ImageWorkflow[];
}

/** How another stack uses a golden image without importing a per-bake value (image-publication.ts). */
const OTHER_STACK_FIX = 'In another stack use DeploymentImage.fromGoldenImage(image), ParentImage.fromGoldenImage(image) or '
  + 'image.machineImage (getImage(scope).imageId for the id): they read each bake\'s AMI id from an SSM parameter';

/**
 * A golden AMI baked from a parent image by Packer-style provisioners, with EC2 Image Builder:
 * one component per provisioner, an image recipe, infrastructure and distribution
 * configurations and, unless `buildOnDeploy` is false, an image built during `cdk deploy`.
 */
export class GoldenImage extends Resource implements IGoldenImage, IDeploymentImage, IPipelineImage {
  public readonly imageKey: string;
  public readonly osFamily: OsFamily;
  public readonly architecture: ec2.InstanceArchitecture;
  public readonly rootDeviceName: string;
  public readonly keepsSsmAgent: boolean;
  public readonly vagrantGuestUser?: string;
  public readonly rootVolumeEncrypted?: boolean;

  /**
   * Where each of `vmExports` writes the deploy-time build's disk, `s3://<bucket>/<key>`, in
   * the order of `vmExports` (resolved at deploy time; the file is complete once the export
   * task ends, after the deployment); empty when buildOnDeploy is false (pipeline bakes land under the same prefix).
   */
  public readonly exportedDiskLocations: string[];

  /** The build instances' role. */
  public readonly role: iam.IRole;

  /** The ARN of the image recipe (this version). */
  public readonly imageRecipeArn: string;

  /** The ARN of the infrastructure configuration. */
  public readonly infrastructureConfigurationArn: string;

  /** The ARN of the distribution configuration. */
  public readonly distributionConfigurationArn: string;

  /** The base name of the image's Image Builder resources. */
  public readonly imageName: string;

  /** The rendered AWSTOE documents of the components this image creates, by provisioner name. */
  public readonly componentDocuments: { [name: string]: string } = {};

  /**
   * What the image builds with and its builds share (infrastructure, distribution, settings,
   * execution role): pipelines of the image ask for what they need through its methods.
   *
   * @internal
   */
  public readonly _buildParts: ImageBuildParts;

  private readonly image?: imagebuilder.CfnImage;
  private readonly infrastructure: BuildInfrastructure;
  private readonly recipeVersion: string;
  private readonly perBake = new SameDeploymentAttributes(this, OTHER_STACK_FIX);

  constructor(scope: Construct, id: string, props: GoldenImageProps) {
    super(scope, id);
    this.validateProps(props);
    this.imageName = imageBuilderName(this).toLowerCase();
    const parent = props.parentImage.bind(this);
    this.osFamily = parent.osFamily;
    this.validateSsmAgent(props);
    this.architecture = parent.architecture;
    this.rootDeviceName = props.rootVolume?.deviceName ?? parent.rootDeviceName;
    this.keepsSsmAgent = props.keepSsmAgent ?? true;
    this.vagrantGuestUser = [...props.provisioners ?? [], ...props.validations ?? []]
      .map(p => p._vagrantGuestUser).find(user => user !== undefined) ?? parent.vagrantGuestUser;
    this.rootVolumeEncrypted = (props.rootVolume?.encrypted ?? true) || parent.encryptedRoot === true;
    this.role = props.role
      ?? createInstanceRole(this, 'Image Builder build and test instances: SSM access, Image Builder, and this image\'s own assets');

    const recipe = createRecipe(this, props, {
      parent,
      name: this.imageName,
      instanceRole: this.role,
      keepsSsmAgent: this.keepsSsmAgent,
      componentDocuments: this.componentDocuments,
    });
    this.imageRecipeArn = recipe.arn;
    this.recipeVersion = recipe.version;

    this.infrastructure = this.createInfrastructure(props, parent);
    this.infrastructureConfigurationArn = this.infrastructure.infrastructureConfigurationArn;
    const distribution = this.createDistribution(props);
    this.distributionConfigurationArn = distribution.distributionConfigurationArn;

    const settings = buildSettings(props, props.enhancedImageMetadata ?? true);
    const buildsOnDeploy = props.buildOnDeploy ?? true;
    this._buildParts = new ImageBuildParts(this, {
      imageName: this.imageName,
      recipeName: recipe.name,
      recipeArn: recipe.arn,
      infrastructure: this.infrastructure,
      distributionConfigurationArn: distribution.distributionConfigurationArn,
      distribution,
      settings,
      osFamily: this.osFamily,
      buildsOnDeploy,
      destroysReplacedAmis: props.amiRemovalPolicy === RemovalPolicy.DESTROY,
      amiEncryption: this.amiEncryption(props),
    });
    if (!buildsOnDeploy && (props.workflows ?? []).length > 0) {
      invalidProp(this, 'workflows', `${props.workflows!.length} workflow(s)`, 'they run in the deploy-time build and buildOnDeploy is false',
        'Give them to the pipeline instead: image.addPipeline(id, { workflows: [...] })');
    }
    const workflows = buildsOnDeploy ? this.createWorkflows(props) : undefined;
    // Everything whose change replaces the deploy-time image, and so bakes a new AMI: the
    // workflows too (a changed Workflows property replaces AWS::ImageBuilder::Image), which only
    // images that have some add, so other images keep their keys.
    this.imageKey = contentHash('golden-image', recipe.identity, settings, ...(workflows ? [workflows.identity] : [])).slice(0, 16);
    if (buildsOnDeploy) {
      this.image = this.createImage(workflows);
    }
    if (props.deprecateAfter) {
      this.createDeprecation(props.deprecateAfter);
    }
    this.exportedDiskLocations = this.createExports(props, parent);
  }

  /** The build and test instances' network access. */
  public get connections(): ec2.Connections {
    return this.infrastructure.connections;
  }

  public get imageId(): string {
    return this.perBake.guard('imageId', this.deployTimeImage('imageId').attrImageId);
  }

  public get imageArn(): string {
    return this.perBake.guard('imageArn', this.deployTimeImage('imageArn').attrArn);
  }

  public get parentImageArn(): string {
    if (this.image) {
      return this.perBake.guard('parentImageArn', this.image.attrArn);
    }
    return this._buildParts.latestBuildArn;
  }

  /** What a deployment in `scope` launches from this image: keyed by `imageKey`, so a change to a provisioner rolls out a new fleet. */
  public bindForDeployment(scope: Construct): DeploymentImageConfig {
    return bakedImageConfig(scope, this, `GoldenImage ${this.node.path}`);
  }

  /**
   * An image built by CloudFormation cannot carry an EC2 deprecation time of its own: the
   * distribution's AmiDistributionConfiguration has no deprecation field
   * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-imagebuilder-distributionconfiguration-amidistributionconfiguration.html),
   * and EC2 EnableImageDeprecation takes an absolute DeprecateAt that may not lie in the past
   * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EnableImageDeprecation.html), which
   * a template would have to fix at synth (a date that moves with every synth, and passes if the
   * deployment waits). A lifecycle DEPRECATE rule by age counts from each build's creation and
   * sets the deprecation time on every distributed AMI
   * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-rules.html).
   */
  private createDeprecation(after: Duration): void {
    const owner = this._buildParts.claimRetirement(this);
    if (owner) {
      invalidProp(this, 'deprecateAfter', after.toHumanString(), `the builds of ${this.node.path} are already retired by ${owner}`, 'Give the deprecation in that pipeline\'s keepImages');
    }
    new ImageRetirement(this, 'Deprecation', {
      owner: this,
      prop: 'deprecateAfter',
      name: imageBuilderName(this, 'deprecation').toLowerCase(),
      imageName: this.imageName,
      selectionTag: { key: BUILD_TAG_KEY, value: this.imageName },
      retention: ImageRetention._deprecation(after),
      context: { resourceType: 'AMI_IMAGE', ownerDescription: 'the image', inUseAmiTags: {} },
    });
  }

  /**
   * Records a deployment that launches this image, so that retiring old builds spares its AMI.
   *
   * @internal
   */
  public _useInDeployment(deployment: Construct, imageId: string): void {
    this._buildParts.useInDeployment(deployment, imageId);
  }

  public get machineImage(): ec2.IMachineImage {
    const imageId = this.imageId;
    const osType = this.osFamily === OsFamily.WINDOWS ? ec2.OperatingSystemType.WINDOWS : ec2.OperatingSystemType.LINUX;
    return {
      getImage: scope => ({
        imageId: inSameDeployment(scope, this) ? imageId : publishedImageId(this, scope),
        osType,
        userData: osType === ec2.OperatingSystemType.WINDOWS ? ec2.UserData.forWindows() : ec2.UserData.forLinux(),
      }),
    };
  }

  /**
   * Adds an image pipeline that rebakes this image on a schedule, with the image's own recipe,
   * infrastructure and distribution.
   */
  public addPipeline(id: string, options: ImagePipelineOptions = {}): ImagePipeline {
    return new ImagePipeline(this, id, { ...options, image: this });
  }

  /** The version of the image recipe, derived from its content. */
  public get imageRecipeVersion(): string {
    return this.recipeVersion;
  }

  private deployTimeImage(attribute: string): imagebuilder.CfnImage {
    if (!this.image) {
      throw new Error(`${this.node.path}: ${attribute} is not available because buildOnDeploy is false: no image is built during deployment. `
        + 'Set buildOnDeploy to true, or read the AMI id an ImagePipeline publishes (its SSM parameter)');
    }
    return this.image;
  }

  /**
   * How the AMI's snapshots are encrypted: the root's (or its parent's) and each encrypted data
   * volume's. With a customer managed key only where every encrypted volume names one; a volume
   * encrypted without a key uses the account's default EBS key.
   */
  private amiEncryption(props: GoldenImageProps): AmiEncryption {
    const volumes = [
      { encrypted: this.rootVolumeEncrypted === true, key: props.rootVolume?.kmsKey },
      ...(props.dataVolumes ?? []).map(v => ({ encrypted: v.encrypted ?? true, key: v.kmsKey })),
    ].filter(v => v.encrypted);
    return { encrypted: volumes.length > 0, customerManagedKey: volumes.every(v => v.key !== undefined) };
  }

  private validateProps(props: GoldenImageProps): void {
    checkBuildOptions(this, props);
    checkImageBuilderTags(this, 'amiTags', props.amiTags ?? {}, AMI_TAGS);
    if (props.keepSsmAgent === false && props.verifySsmAgent === true) {
      invalidProp(this, 'verifySsmAgent', true, 'keepSsmAgent is false, so Image Builder removes an agent it installed after the validate phase and the check would pass on an AMI without one',
        'Remove verifySsmAgent, or keep the agent (keepSsmAgent: true)');
    }
  }

  /** Windows parents ship the agent, and Image Builder neither installs nor removes it there. */
  private validateSsmAgent(props: GoldenImageProps): void {
    if (this.osFamily === OsFamily.WINDOWS && props.keepSsmAgent === false) {
      invalidProp(this, 'keepSsmAgent', false, 'Image Builder neither installs nor removes the SSM agent on Windows (it rejects the setting for Windows base images), '
        + 'so the agent the parent ships stays in the AMI', 'Remove keepSsmAgent; to ship without the agent, uninstall it in a build step of your own');
    }
  }

  private createInfrastructure(props: GoldenImageProps, parent: ParentImageConfig): BuildInfrastructure {
    const defaultType = parent.architecture === ARM_64 ? 't4g.medium' : 't3.medium';
    (props.instanceTypes ?? []).forEach((type, i) => {
      if (type.architecture !== parent.architecture) {
        invalidProp(this, `instanceTypes[${i}]`, type.toString(), `it is an ${type.architecture} instance type and the parent image is ${parent.architecture}`,
          `Choose ${parent.architecture} instance types (for example ${defaultType})`);
      }
    });
    const instanceTypes = props.instanceTypes?.map(type => type.toString()) ?? [defaultType];
    return createBuildInfrastructure(this, props, { name: this.imageName, role: this.role, instanceTypes });
  }

  private createDistribution(props: GoldenImageProps): ImageDistribution {
    return new ImageDistribution(this, 'Distribution', {
      name: this.imageName,
      amiName: this.amiName(props.amiName),
      amiDescription: props.description,
      amiTags: props.amiTags,
    });
  }

  private amiName(template?: string): string {
    if (template === undefined) {
      return `${this.imageName.slice(0, AMI_NAME_MAX - BUILD_DATE.length - 1)}-${BUILD_DATE}`;
    }
    if (Token.isUnresolved(template)) {
      return template;
    }
    const translated = translateAmiName(template);
    if (translated.unknownExpressions.length > 0) {
      invalidProp(this, 'amiName', template, `${translated.unknownExpressions.join(', ')} cannot be translated: Image Builder knows only its build variables`,
        'Use {{timestamp}}, {{isotime}} or {{uuid}} (or {{ imagebuilder:buildDate }}), and resolve other values in your CDK code');
    }
    if (!hasBuildVariable(translated.name)) {
      invalidProp(this, 'amiName', template, 'bakes would produce the same AMI name and EC2 refuses a second AMI with a name already in use '
        + '(the build version, {{uuid}}, starts again at 1 with every new recipe version)', 'Add {{timestamp}} (or {{ imagebuilder:buildDate }}) to the name');
    }
    if (translated.name.length > AMI_NAME_MAX || translated.name.length < 3) {
      invalidProp(this, 'amiName', template, `the name is ${translated.name.length} characters once translated and must be 3 to ${AMI_NAME_MAX}`,
        'Shorten the name');
    }
    if (translated.replaced.length > 0) {
      Annotations.of(this).addWarningV2('cdk-immutable-infra:amiNameSanitised',
        `amiName: replaced ${translated.replaced.map(c => `'${c}'`).join(', ')} with '-' (Image Builder allows letters, digits, '-', '_', '.' and spaces): '${translated.name}'`);
    }
    return translated.name;
  }

  private createExports(props: GoldenImageProps, parent: ParentImageConfig): string[] {
    const exports = props.vmExports ?? [];
    if (exports.length === 0) {
      return [];
    }
    const context = {
      imageName: this.imageName,
      osFamily: this.osFamily,
      encryptedRoot: this.rootVolumeEncrypted === true,
      encryptedRootReason: parent.encryptedRoot ? 'the parent golden image\'s root snapshot is encrypted (a volume made from it is encrypted too)'
        : 'this image\'s root volume is encrypted (rootVolume.encrypted defaults to true)',
    };
    checkVmExports(this, exports, context);
    const vmExports = new VmExports(this, 'VmExports', exports, context, this.image ? { imageId: this.image.attrImageId, image: this.image } : undefined);
    // Every pipeline bake is exported as the deploy-time build is.
    this._buildParts.whenPipelined(() => vmExports.exportPipelineBakes(this._buildParts.recipeName));
    return vmExports.locations;
  }

  private createImage(workflows: ImageWorkflows | undefined): imagebuilder.CfnImage {
    const parts = this._buildParts;
    const image = new imagebuilder.CfnImage(this, 'Image', {
      imageRecipeArn: this.imageRecipeArn,
      infrastructureConfigurationArn: this.infrastructureConfigurationArn,
      distributionConfigurationArn: this.distributionConfigurationArn,
      imageTestsConfiguration: parts.testsConfiguration({ tests: parts.settings.tests || (workflows?.hasTests ?? false) }),
      workflows: workflows?.configurations,
      enhancedImageMetadataEnabled: parts.settings.enhancedImageMetadata,
      deletionSettings: parts.destroysReplacedAmis ? { executionRole: amiDeletionRole(this, this.imageName).roleArn } : undefined,
      // Shared with the image's pipelines: whichever needs the role first creates it.
      executionRole: parts.executionRoleArn,
      // Lifecycle policies find the image's builds by this tag.
      tags: buildTag(this.imageName),
    });
    // The build reads this image's assets with the instance role from its first step: wait for
    // the role's policies (a Role's subtree holds them), not only for the instance profile.
    image.node.addDependency(this.role);
    // A build needs its execution role's policies from its first step.
    parts.dependOnExecutionRole(image);
    return image;
  }

  private createWorkflows(props: GoldenImageProps): ImageWorkflows | undefined {
    if ((props.workflows ?? []).length === 0) {
      return undefined;
    }
    const workflows = new ImageWorkflows(this, 'Workflows', {
      workflows: props.workflows!,
      owner: this,
      prop: 'workflows',
      parts: this._buildParts,
      osFamily: this.osFamily,
      recipeTests: this._buildParts.settings.tests,
      defaultTopic: props.notificationTopic,
    });
    if (workflows.hasApproval) {
      Annotations.of(this).addWarningV2('cdk-immutable-infra:deployWaitsForApproval',
        'workflows: the deploy-time build waits for a manual approval, and so does `cdk deploy` (CloudFormation waits for the image) until someone sends '
        + 'RESUME with `aws imagebuilder send-workflow-step-action` or the wait times out. Put approvals on pipelines, which bake outside deployments');
    }
    return workflows;
  }
}
