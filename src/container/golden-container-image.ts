import { RemovalPolicy, Resource, Tags, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { Construct } from 'constructs';
import { ContainerDistribution, ContainerRegionDistribution, checkContainerTags } from './container-distribution';
import { ContainerParent, ContainerParentConfig } from './container-parent';
import { checkContainerSteps } from './container-steps';
import { DockerfileInstructions, renderDockerfileInstructions } from './dockerfile-instructions';
import { IGoldenContainerImage } from './golden-container-image-interface';
import { containerImageDigest } from './image-digest';
import { OsFamily } from '../common/os-family';
import { IPipelineImage } from '../common/pipeline-image-interface';
import { CommonRootVolumeOptions, recipeBlockDevice, rootVolume } from '../common/root-volume';
import { BuildInfrastructure } from '../image/build-infrastructure';
import { buildTag } from '../image/build-tag';
import { ImageBuildOptions, buildSettings, checkBuildOptions, createBuildInfrastructure } from '../image/image-build-options';
import { ImageBuildParts } from '../image/image-build-parts';
import { SameDeploymentAttributes } from '../image/image-publication';
import { componentsIdentity, createComponents, recipeComponents } from '../image/image-recipe';
import { CONTAINER_BUILDS_POLICY, createInstanceRole } from '../image/instance-role';
import { ImagePipeline, ImagePipelineOptions } from '../pipeline/image-pipeline';
import { invalidProp } from '../private/errors';
import { contentHash, versionFromHash } from '../private/hash';
import { imageBuilderName } from '../private/names';
import { referenceIdentity } from '../private/stable-identity';

/**
 * Properties of a GoldenContainerImage.
 */
export interface GoldenContainerImageProps extends ImageBuildOptions {
  /** The image to start from (a Dockerfile's `FROM`; Packer docker builder's `image`). */
  readonly parentImage: ContainerParent;

  /**
   * The ECR repository the image is pushed to (Packer's `docker-push` post-processor).
   *
   * @default - a new repository: immutable tags, scan on push, KMS encryption, keeping the newest `keepImages` images
   */
  readonly repository?: ecr.IRepository;

  /**
   * With the repository the image creates: how many images its lifecycle rule keeps (1 to 10000).
   *
   * @default 20
   */
  readonly keepImages?: number;

  /**
   * Tags each build gets in the repository, besides the build version Image Builder tags it
   * with (for example `stable`). A repository with immutable tags (the default one) refuses a
   * tag a second build would reuse.
   *
   * @default - none
   */
  readonly containerTags?: string[];

  /**
   * Other regions the image is copied to, each into an ECR repository there.
   *
   * @default - the build region only
   */
  readonly distribution?: ContainerRegionDistribution[];

  /**
   * How containers run from the image (`ENV`, `EXPOSE`, `USER`, `ENTRYPOINT`, `CMD`, `LABEL`;
   * Packer docker builder's `changes`), rendered after the components.
   *
   * @default - the parent image's settings
   */
  readonly dockerfile?: DockerfileInstructions;

  /**
   * The root volume of the instance that runs the container build (always encrypted).
   *
   * @default - encrypted gp3 /dev/xvda of the build AMI's size
   */
  readonly instanceRootVolume?: CommonRootVolumeOptions;
}

/** What Image Builder puts the parent, its environment and the components in a Dockerfile template.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-imagebuilder-containerrecipe.html#cfn-imagebuilder-containerrecipe-dockerfiletemplatedata
 * (the same three placeholders are the default template of aws-cdk's imagebuilder-alpha ContainerRecipe). */
const DOCKERFILE_HEAD = ['FROM {{{ imagebuilder:parentImage }}}', '{{{ imagebuilder:environments }}}', '{{{ imagebuilder:components }}}'];

/** The default ECS-optimized AMI Image Builder builds containers on has its root at /dev/xvda. */
const BUILD_ROOT_DEVICE = '/dev/xvda';
const KEEP_IMAGES = { min: 1, max: 10_000, default: 20 };

/** How another stack uses a golden container image without importing a per-bake value. */
const OTHER_STACK_FIX = 'In another stack use ecs.ContainerImage.fromEcrRepository(image.repository, tag) with one of its containerTags '
  + '(on a repository with mutable tags), or let the service live in the image\'s stack';

/**
 * A golden container image baked from a parent image by the same Packer-style provisioners as
 * a GoldenImage, with EC2 Image Builder: one component per provisioner, a container recipe
 * (Dockerfile: parent, components, then the `dockerfile` instructions), infrastructure and
 * distribution configurations, an ECR repository and, unless `buildOnDeploy` is false, an
 * image built and pushed during `cdk deploy`.
 */
export class GoldenContainerImage extends Resource implements IGoldenContainerImage, IPipelineImage {
  public readonly imageKey: string;
  public readonly repository: ecr.IRepository;
  public readonly parentReference: string;

  /** The build instances' role. */
  public readonly role: iam.IRole;

  /** The base name of the image's Image Builder resources. */
  public readonly imageName: string;

  /** The ARN of the container recipe (this version). */
  public readonly containerRecipeArn: string;

  /** The version of the container recipe, derived from its content. */
  public readonly containerRecipeVersion: string;

  /** The ARN of the infrastructure configuration. */
  public readonly infrastructureConfigurationArn: string;

  /** The ARN of the distribution configuration. */
  public readonly distributionConfigurationArn: string;

  /** The Dockerfile template of the recipe. */
  public readonly dockerfileTemplate: string;

  /** The rendered AWSTOE documents of the components this image creates, by provisioner name. */
  public readonly componentDocuments: { [name: string]: string } = {};

  private readonly parts: ImageBuildParts;
  private readonly infrastructure: BuildInfrastructure;
  private readonly image?: imagebuilder.CfnImage;
  private readonly perBake = new SameDeploymentAttributes(this, OTHER_STACK_FIX);

  constructor(scope: Construct, id: string, props: GoldenContainerImageProps) {
    super(scope, id);
    checkBuildOptions(this, props);
    if ((props.provisioners?.length ?? 0) + (props.validations?.length ?? 0) === 0) {
      invalidProp(this, 'provisioners', props.provisioners ?? [], 'a container recipe needs at least one build component, and tests alone make none',
        'Add a provisioner (the step the tests check) or a validation');
    }
    this.imageName = imageBuilderName(this).toLowerCase();
    this.role = props.role ?? createInstanceRole(this,
      'Image Builder container build and test instances: SSM access, Image Builder, ECR pulls and pushes, and this image\'s own assets',
      [CONTAINER_BUILDS_POLICY]);
    this.repository = this.targetRepository(props);
    this.repository.grant(this.role, ...PUSH_ACTIONS);
    const parent = props.parentImage._bind(this, 'parentImage', this.role);
    this.parentReference = parent.description;
    checkContainerSteps(this, props, parent);

    const recipe = this.createRecipe(props, parent);
    this.containerRecipeArn = recipe.arn;
    this.containerRecipeVersion = recipe.version;
    this.dockerfileTemplate = recipe.dockerfile;

    this.infrastructure = createBuildInfrastructure(this, props, {
      name: this.imageName,
      role: this.role,
      instanceTypes: props.instanceTypes?.map(type => type.toString()) ?? ['t3.medium'],
    });
    this.infrastructureConfigurationArn = this.infrastructure.infrastructureConfigurationArn;
    const distribution = new ContainerDistribution(this, 'Distribution', {
      name: this.imageName,
      description: props.description,
      repositoryName: this.repository.repositoryName,
      containerTags: this.containerTags(props),
      regions: props.distribution ?? [],
      owner: this,
    });
    this.distributionConfigurationArn = distribution.distributionConfigurationArn;

    // Image Builder collects a software inventory from an instance launched from an AMI; a container image has none.
    const settings = buildSettings(props, false);
    this.imageKey = contentHash('golden-container-image', recipe.identity, settings).slice(0, 16);
    this.parts = new ImageBuildParts(this, {
      imageName: this.imageName,
      recipeName: this.imageName,
      recipeArn: recipe.arn,
      kind: 'CONTAINER',
      infrastructure: this.infrastructure,
      distributionConfigurationArn: this.distributionConfigurationArn,
      repositoryName: this.repository.repositoryName,
      settings,
      buildsOnDeploy: props.buildOnDeploy ?? true,
      destroysReplacedAmis: false,
      osFamily: OsFamily.LINUX,
    });
    if (this.parts.buildsOnDeploy) {
      this.image = this.createImage();
    }
  }

  /** The build instances' network access. */
  public get connections(): ec2.Connections {
    return this.infrastructure.connections;
  }

  public get imageUri(): string {
    return this.perBake.guard('imageUri', this.deployTimeImage('imageUri').attrImageUri);
  }

  /**
   * The digest (`sha256:…`) of the image built at deploy time, read from ECR after the build.
   * It changes with every bake: use it in the image's own stack only. The first read adds the
   * lookup (an ECR DescribeImages call through aws-cdk-lib's AwsCustomResource); a stack that
   * never reads it has none. A container pinned to this build's content runs
   * `image.repository.repositoryUriForDigest(image.imageDigest)` (`<repositoryUri>@<digest>`).
   *
   * @attribute
   */
  public get imageDigest(): string {
    const uri = this.deployTimeImage('imageDigest').attrImageUri;
    return this.perBake.guard('imageDigest', containerImageDigest(this, uri, this.repository.repositoryName));
  }

  /**
   * The ARN of the Image Builder image (build version) that pushed the container image. It
   * changes with every bake: use it in the image's own stack only.
   *
   * @attribute
   */
  public get imageArn(): string {
    return this.perBake.guard('imageArn', this.deployTimeImage('imageArn').attrArn);
  }

  public get parentImageArn(): string {
    if (this.image) {
      return this.perBake.guard('parentImageArn', this.image.attrArn);
    }
    return this.parts.latestBuildArn;
  }

  public get containerImage(): ecs.ContainerImage {
    return new GoldenContainerImageReference(this.repository, this.imageUri);
  }

  public grantPull(grantee: iam.IGrantable): iam.Grant {
    return this.repository.grantPull(grantee);
  }

  /**
   * Adds an image pipeline that rebakes this image on a schedule, with the image's own recipe,
   * infrastructure and distribution.
   */
  public addPipeline(id: string, options: ImagePipelineOptions = {}): ImagePipeline {
    return new ImagePipeline(this, id, { ...options, image: this });
  }

  private targetRepository(props: GoldenContainerImageProps): ecr.IRepository {
    const keep = props.keepImages;
    if (props.repository) {
      if (keep !== undefined) {
        invalidProp(this, 'keepImages', keep, 'it sets the lifecycle rule of the repository the image creates, and a repository was given',
          'Set the lifecycle rules on your repository, or leave repository unset');
      }
      return props.repository;
    }
    if (keep !== undefined && !Token.isUnresolved(keep) && (!Number.isInteger(keep) || keep < KEEP_IMAGES.min || keep > KEEP_IMAGES.max)) {
      invalidProp(this, 'keepImages', keep, `an ECR lifecycle rule keeps a whole number of images from ${KEEP_IMAGES.min} to ${KEEP_IMAGES.max}`,
        `Give a whole number from ${KEEP_IMAGES.min} to ${KEEP_IMAGES.max}`);
    }
    const count = keep ?? KEEP_IMAGES.default;
    const repository = new ecr.Repository(this, 'Repository', {
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.KMS,
      lifecycleRules: [{ description: `Keep the newest ${count} images`, maxImageCount: count }],
      // A running service may still pull any of them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // AWS's lifecycle execution policy lets Image Builder delete container images only in
    // repositories tagged so, and the retirement role keeps that condition (ami-deletion-role.ts):
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/EC2ImageBuilderLifecycleExecutionPolicy.html
    // With the tag, a pipeline's keepImages can delete old builds here; a repository you pass needs it too.
    Tags.of(repository).add('LifecycleExecutionAccess', 'EC2 Image Builder');
    return repository;
  }

  /** The build region's tags, refused where the repository's tags are immutable and a second build would reuse them. */
  private containerTags(props: GoldenContainerImageProps): string[] {
    const tags = props.containerTags ?? [];
    checkContainerTags(this, 'containerTags', tags);
    const cfn = this.repository.node.defaultChild;
    const immutable = cfn instanceof ecr.CfnRepository && cfn.imageTagMutability === ecr.TagMutability.IMMUTABLE;
    if (immutable && tags.length > 0) {
      invalidProp(this, 'containerTags', tags, `the repository ${this.repository.node.path} has immutable tags, so the second build to push '${tags[0]}' would be refused`,
        'Remove containerTags (every build is tagged with its own build version), or give a repository with mutable tags');
    }
    return tags;
  }

  private createRecipe(props: GoldenContainerImageProps, parent: ContainerParentConfig) {
    const components = createComponents(this, props, {
      osFamily: OsFamily.LINUX,
      instanceRole: this.role,
      keepsSsmAgent: false,
      // docker build runs no restart (Provisioner.reboot() is refused here).
      restartable: false,
      componentDocuments: this.componentDocuments,
    });
    const dockerfile = [...DOCKERFILE_HEAD, ...renderDockerfileInstructions(this, 'dockerfile', props.dockerfile)].join('\n') + '\n';
    const blockDevice = recipeBlockDevice(rootVolume(this, { ...props.instanceRootVolume, encrypted: true }, {
      recipe: true,
      defaultDeviceName: BUILD_ROOT_DEVICE,
      imageName: 'the build AMI\'s',
    }));
    // Every property of the recipe: CloudFormation replaces it on any change, and a
    // replacement must have a new version or Image Builder answers "already exists".
    const identity = contentHash('container-recipe', {
      parent: parent.identity,
      components: componentsIdentity(components),
      dockerfile,
      repository: referenceIdentity(this, this.repository.repositoryName, this.repository),
      blockDevice: blockDevice.identity,
      workingDirectory: props.workingDirectory,
      description: props.description,
      rebuildKey: props.rebuildKey,
    });
    const version = versionFromHash(identity);
    const recipe = new imagebuilder.CfnContainerRecipe(this, 'Recipe', {
      name: this.imageName,
      version,
      containerType: 'DOCKER',
      parentImage: parent.parentImage,
      description: props.description,
      dockerfileTemplateData: dockerfile,
      targetRepository: { service: 'ECR', repositoryName: this.repository.repositoryName },
      components: recipeComponents(components),
      instanceConfiguration: { blockDeviceMappings: [blockDevice.mapping] },
      workingDirectory: props.workingDirectory,
    });
    return { arn: recipe.attrArn, version, identity, dockerfile };
  }

  private createImage(): imagebuilder.CfnImage {
    const parts = this.parts;
    const image = new imagebuilder.CfnImage(this, 'Image', {
      containerRecipeArn: this.containerRecipeArn,
      infrastructureConfigurationArn: this.infrastructureConfigurationArn,
      distributionConfigurationArn: this.distributionConfigurationArn,
      imageTestsConfiguration: parts.testsConfiguration(),
      executionRole: parts.executionRoleArn,
      // Lifecycle policies find the image's builds by this tag.
      tags: buildTag(this.imageName),
    });
    // The build pulls, pushes and reads assets with the instance role from its first step.
    image.node.addDependency(this.role);
    parts.dependOnExecutionRole(image);
    return image;
  }

  private deployTimeImage(attribute: string): imagebuilder.CfnImage {
    if (!this.image) {
      throw new Error(`${this.node.path}: ${attribute} is not available because buildOnDeploy is false: no image is built during deployment. `
        + 'Set buildOnDeploy to true, or run the image from a tag its pipeline\'s builds get (containerTags, on a repository with mutable tags)');
    }
    return this.image;
  }
}

/** What the build instance pushes to the target repository (authorisation comes with the container builds policy). */
const PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage',
];

/** The golden image by its URI, with pull access for the task's execution role (what ecs.EcrImage does for a tag). */
class GoldenContainerImageReference extends ecs.ContainerImage {
  constructor(private readonly repository: ecr.IRepository, private readonly uri: string) {
    super();
  }

  public bind(_scope: Construct, containerDefinition: ecs.ContainerDefinition): ecs.ContainerImageConfig {
    this.repository.grantPull(containerDefinition.taskDefinition.obtainExecutionRole());
    return { imageName: this.uri };
  }
}
