import { Annotations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { Construct } from 'constructs';
import { DataVolumeOptions, dataVolumes, userDataOverride } from './build-instance';
import { ParentImageConfig } from './parent-image';
import { SSM_AGENT_CHECK_NAME, ssmAgentCheckComponent, ssmAgentInstanceConfiguration } from './ssm-agent';
import { OsFamily, defaultWorkingDirectory, restartSafeDirectory } from '../common/os-family';
import { warnIfRootDeviceAssumed } from '../common/root-device';
import { RootVolumeOptions, recipeBlockDevice, rootVolume } from '../common/root-volume';
import { invalidProp } from '../private/errors';
import { contentHash, versionFromHash } from '../private/hash';
import { imageBuilderName } from '../private/names';
import { ImageComponent } from '../provisioning/image-component';
import { Provisioner } from '../provisioning/provisioner';
import { BoundProvisioner } from '../provisioning/provisioner-kind';
import { ToePhaseName } from '../provisioning/toe/component-document';

/** The image props a recipe is made of (GoldenImageProps holds them). */
export interface RecipeProps extends ComponentsProps {
  readonly description?: string;
  readonly rebuildKey?: string;
  readonly rootVolume?: RootVolumeOptions;
  readonly dataVolumes?: DataVolumeOptions[];
  readonly userDataOverride?: string;
}

/** What the components of an image (AMI or container) need of it. */
export interface ComponentsContext {
  /** The OS family the components run on (the parent's). */
  readonly osFamily: OsFamily;
  /** The build instances' role, which reads the provisioners' assets. */
  readonly instanceRole: iam.IRole;
  readonly keepsSsmAgent: boolean;
  /**
   * Whether a step may restart the build (an image's build instance may; a container build
   * cannot): scripts are then downloaded where a restart keeps them.
   */
  readonly restartable: boolean;
  /** Filled with the rendered document of each component created, by provisioner name. */
  readonly componentDocuments: { [name: string]: string };
}

/** The provisioner lists and settings components are made from (GoldenImageProps and GoldenContainerImageProps hold them). */
export interface ComponentsProps {
  readonly provisioners?: Provisioner[];
  readonly validations?: Provisioner[];
  readonly tests?: Provisioner[];
  readonly verifySsmAgent?: boolean;
  readonly workingDirectory?: string;
}

/** What else the recipe needs of its image. */
export interface RecipeContext extends Omit<ComponentsContext, 'osFamily' | 'restartable'> {
  readonly parent: ParentImageConfig;
  /** The recipe's name. */
  readonly name: string;
}

/** An image recipe, by version, with the identity its version is derived from. */
export interface ImageRecipe {
  readonly arn: string;
  readonly version: string;
  readonly name: string;
  readonly identity: string;
}

/** A component of the recipe: created by the image, or an existing one by ARN. */
export interface BoundComponent {
  readonly arn: string;
  readonly identity: string;
  readonly parameters?: Record<string, string>;
}

/**
 * Creates the image's components (one per provisioner, in `image`) and its recipe, whose
 * version is derived from everything that makes the image what it is.
 */
export function createRecipe(image: Construct, props: RecipeProps, context: RecipeContext): ImageRecipe {
  const { parent } = context;
  // An image's build instance restarts when a step asks (Provisioner.reboot(), exit code 194 or 3010).
  const components = createComponents(image, props, { ...context, osFamily: parent.osFamily, restartable: true });
  warnIfRootDeviceAssumed(image, 'the parent image', parent, props.rootVolume?.deviceName,
    'Give the parent\'s rootDeviceName (for example ParentImage.fromAmiId(id, { rootDeviceName: \'/dev/sda1\' })), or rootVolume.deviceName');
  const blockDevices = recipeBlockDevice(rootVolume(image, props.rootVolume ?? {}, {
    recipe: true,
    defaultDeviceName: parent.rootDeviceName,
    snapshotSizeGiB: parent.rootVolumeSizeGiB,
    imageName: 'the parent image\'s',
  }));
  const volumes = dataVolumes(image, props.dataVolumes ?? [], blockDevices.mapping.deviceName!);
  const userData = userDataOverride(image, props.userDataOverride, parent.osFamily);
  const settings = {
    parent: parent.identity,
    components: componentsIdentity(components),
    blockDevices: blockDevices.identity,
    dataVolumes: volumes.length > 0 ? volumes.map(v => v.identity) : undefined,
    userDataOverride: userData,
    workingDirectory: props.workingDirectory,
    description: props.description,
    rebuildKey: props.rebuildKey,
    // Not on Windows, whose recipes carry no agent setting: a recipe made with one (which Image
    // Builder rejects) gets a new version rather than clash with its old self.
    keepSsmAgent: parent.osFamily === OsFamily.WINDOWS ? undefined : context.keepsSsmAgent,
  };
  const instanceConfiguration = {
    ...ssmAgentInstanceConfiguration(context.keepsSsmAgent, parent.osFamily),
    ...(userData !== undefined ? { userDataOverride: userData } : {}),
  };
  const identity = contentHash('recipe', settings);
  const version = versionFromHash(identity);
  const recipe = new imagebuilder.CfnImageRecipe(image, 'Recipe', {
    name: context.name,
    version,
    parentImage: parent.parentImage,
    description: props.description,
    workingDirectory: props.workingDirectory,
    blockDeviceMappings: [blockDevices.mapping, ...volumes.map(v => v.mapping)],
    additionalInstanceConfiguration: Object.keys(instanceConfiguration).length > 0 ? instanceConfiguration : undefined,
    components: recipeComponents(components),
  });
  return { arn: recipe.attrArn, version, name: context.name, identity };
}

/** A recipe's Components property (image and container recipes take the same shape). */
export function recipeComponents(components: BoundComponent[]): imagebuilder.CfnImageRecipe.ComponentConfigurationProperty[] {
  return components.map(c => ({
    componentArn: c.arn,
    parameters: c.parameters && Object.keys(c.parameters).length > 0
      ? Object.keys(c.parameters).sort().map(k => ({ name: k, value: [c.parameters![k]] }))
      : undefined,
  }));
}

/** What settings of the components make a recipe what it is, for its content-hashed version. */
export function componentsIdentity(components: BoundComponent[]): unknown {
  return components.map(c => ({ identity: c.identity, parameters: c.parameters }));
}

/** The provisioner lists in recipe order, each with the prop it was given in and its AWSTOE phase. */
export function provisionerSteps(props: ComponentsProps): Array<{ prop: string; phase: ToePhaseName; provisioner: Provisioner }> {
  const steps: Array<{ prop: string; phase: ToePhaseName; provisioner: Provisioner }> = [];
  const lists: Array<[string, ToePhaseName, Provisioner[]]> = [
    ['provisioners', 'build', props.provisioners ?? []],
    ['validations', 'validate', props.validations ?? []],
    ['tests', 'test', props.tests ?? []],
  ];
  for (const [listName, phase, provisioners] of lists) {
    provisioners.forEach((provisioner, index) => steps.push({ prop: `${listName}[${index}]`, phase, provisioner }));
  }
  return steps;
}

/**
 * Creates one component per provisioner (in `image`), in recipe order, with unique names, and
 * adds the stack's SSM agent check last when the image verifies the agent.
 */
export function createComponents(image: Construct, props: ComponentsProps, context: ComponentsContext): BoundComponent[] {
  const verifiesAgent = props.verifySsmAgent ?? context.keepsSsmAgent;
  if ((props.provisioners?.length ?? 0) + (props.validations?.length ?? 0) === 0 && (props.tests?.length ?? 0) > 0 && !verifiesAgent) {
    // "Recipes require a minimum of one build component" (ImageRecipe and ContainerRecipe
    // Components, AWS::ImageBuilder::ImageRecipe); tests are test components.
    invalidProp(image, 'provisioners', [], 'Image Builder needs at least one build component in a recipe, and tests alone make test components only',
      'Add a provisioner or a validation (the SSM agent check, verifySsmAgent, is one too)');
  }
  const osFamily = context.osFamily;
  const workingDirectory = props.workingDirectory ?? defaultWorkingDirectory(osFamily);
  const scriptDirectory = props.workingDirectory ?? (context.restartable ? restartSafeDirectory(osFamily) : workingDirectory);
  const names = new Map<string, string>();
  const kindCounts = new Map<string, number>();
  // A loop, not Array.map: aws-cdk-lib shows each resource's creation stack trace, and renders
  // the native Array.map frame (no file name) as a line of the app's own code.
  const components: BoundComponent[] = [];
  for (const { prop, phase, provisioner } of provisionerSteps(props)) {
    const count = (kindCounts.get(`${phase}:${provisioner.kindName}`) ?? 0) + 1;
    kindCounts.set(`${phase}:${provisioner.kindName}`, count);
    const phasePrefix = phase === 'build' ? '' : `${phase}-`;
    const bound = provisioner._bind({
      scope: image,
      phase,
      osFamily,
      prop,
      defaultName: `${phasePrefix}${provisioner.kindName}-${count}`,
      assetReader: context.instanceRole,
      workingDirectory,
      scriptDirectory,
    });
    const clash = names.get(bound.name);
    if (clash) {
      invalidProp(image, `${prop}.name`, bound.name, `${clash} has the same name, and each provisioner becomes a component named after it`,
        'Give every provisioner a unique name');
    }
    names.set(bound.name, prop);
    components.push(createComponent(image, bound, prop, context));
  }
  if (verifiesAgent) {
    const clash = names.get(SSM_AGENT_CHECK_NAME);
    if (clash) {
      invalidProp(image, `${clash}.name`, SSM_AGENT_CHECK_NAME, 'the SSM agent check (verifySsmAgent) has that name, and each provisioner becomes a component named after it',
        'Give the provisioner another name, or set verifySsmAgent to false');
    }
    const check = ssmAgentCheckComponent(image, osFamily);
    context.componentDocuments[SSM_AGENT_CHECK_NAME] = check.documentText;
    components.push({ arn: check.arn, identity: check.identity });
  }
  if (components.length > MAX_COMPONENTS) {
    Annotations.of(image).addWarningV2('cdk-immutable-infra:tooManyComponents', `the recipe has ${components.length} components (one per provisioner, `
      + `validation and test${verifiesAgent ? ', and the SSM agent check' : ''}), and Image Builder takes ${MAX_COMPONENTS} by default. `
      + 'Merge steps (a shell provisioner runs many commands), or raise the quota first');
  }
  return components;
}

/**
 * "By default, you can apply up to 20 components to a recipe. This includes both build and test
 * components" (https://docs.aws.amazon.com/imagebuilder/latest/userguide/manage-recipes.html); a
 * container recipe "can have a maximum of 20 build and test components in any combination"
 * (AWS::ImageBuilder::ContainerRecipe Components). A default may be raised, so more warns.
 */
const MAX_COMPONENTS = 20;

function createComponent(image: Construct, bound: BoundProvisioner, prop: string, context: ComponentsContext): BoundComponent {
  const osFamily = context.osFamily;
  if (bound.platform !== osFamily) {
    invalidProp(image, prop, bound.name, `this provisioner runs on ${bound.platform} and the parent image is ${osFamily}`,
      `Use a provisioner for ${osFamily}, or a ${bound.platform} parent image`);
  }
  if (bound.componentArn) {
    return { arn: bound.componentArn, identity: bound.componentIdentity ?? bound.componentArn, parameters: bound.parameters };
  }
  const component = new ImageComponent(image, `Component-${bound.name}`, {
    provisioner: bound,
    componentName: imageBuilderName(image, bound.name).toLowerCase(),
    prop,
    owner: image,
  });
  context.componentDocuments[bound.name] = component.documentText;
  return { arn: component.componentArn, identity: component.identity, parameters: bound.parameters };
}
