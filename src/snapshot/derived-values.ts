import { CfnElement, Stack, Stage } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { replaceHashes } from './asset-labels';
import { withoutKeyedSuffixes } from './keyed-ids';
import { ImmutableDeployment } from '../deployment/immutable-deployment';
import { GoldenImage } from '../image/golden-image';
import { contentHash, canonicalJson, shortHash, versionFromHash } from '../private/hash';
import { ImageComponent } from '../provisioning/image-component';
import { ImageWorkflows } from '../workflow/image-workflows';

/**
 * The values the library derives from content: component and recipe versions, image keys and
 * generation keys. Each is the signal that a deploy re-bakes or rolls out, and each hashes the
 * content of the user's assets too, so a site file's new word moves them all. For those that an
 * asset feeds, this finds a stand-in computed the same way from the template with the assets'
 * hashes masked: it moves with every change a template shows, never with an asset's content.
 */
export interface DerivedValues {
  /** Component and recipe versions an asset feeds, to their stand-ins (`~1.0.N`). */
  readonly versionStandIns: ReadonlyMap<string, string>;
  /** Image keys and generation keys an asset feeds, to stand-ins of the same length. */
  readonly keyStandIns: ReadonlyMap<string, string>;
  /** Every component and recipe version of the app's images. */
  readonly versions: ReadonlySet<string>;
  /** Every image key of the app, in construct order. */
  readonly imageKeys: readonly string[];
  /** Every generation key of the app, in construct order. */
  readonly generationKeys: readonly string[];
}

/** The synthesised template of `stack` (the stage's assembly is synthesised once and cached). */
export function synthesisedTemplate(stack: Stack): { Resources?: Record<string, TemplateResource>; [key: string]: unknown } {
  const stage = Stage.of(stack);
  if (!stage) {
    throw new Error(`${stack.node.path}: the stack is in no App or Stage, so it cannot be synthesised for a snapshot`);
  }
  return stage.synth().getStackArtifact(stack.artifactId).template;
}

export interface TemplateResource {
  readonly Type: string;
  Properties?: Record<string, any>;
  Metadata?: Record<string, unknown>;
}

/** Computes the stand-ins for the whole app of `scope`, given the hashes of the user's assets. */
export function deriveValues(scope: IConstruct, userAssetHashes: readonly string[]): DerivedValues {
  const constructs = scope.node.root.node.findAll();
  const images = constructs.filter((c): c is GoldenImage => c instanceof GoldenImage);
  const deployments = constructs.filter((c): c is ImmutableDeployment => c instanceof ImmutableDeployment);
  const state = new StandIns(userAssetHashes);
  // An image can bake from another golden image: repeat until the parents' stand-ins are known.
  for (let pass = 0, before = ''; pass <= images.length; pass++) {
    images.forEach(image => state.addImage(image));
    if (state.signature === before) {
      break;
    }
    before = state.signature;
  }
  deployments.forEach(deployment => state.addDeployment(deployment));
  const versions = new Set<string>();
  for (const image of images) {
    componentsOf(image).forEach(c => versions.add(componentResource(c).version!));
    versions.add(image.imageRecipeVersion);
  }
  return {
    versionStandIns: state.versions,
    keyStandIns: state.keys,
    versions,
    imageKeys: images.map(i => i.imageKey),
    generationKeys: deployments.map(d => d.generationKey),
  };
}

class StandIns {
  public readonly versions = new Map<string, string>();
  public readonly keys = new Map<string, string>();
  /** Per stack, the logical ids of image resources an asset feeds, with their image key stand-ins. */
  private readonly images = new Map<Stack, Map<string, string>>();

  constructor(private readonly userAssetHashes: readonly string[]) {}

  /** All stand-ins so far, to tell when another pass changed nothing. */
  public get signature(): string {
    return JSON.stringify([...this.versions, ...this.keys]);
  }

  public addImage(image: GoldenImage): void {
    const stack = Stack.of(image);
    const template = synthesisedTemplate(stack);
    const componentVersions = new Map<string, { real: string; shown: string }>();
    for (const component of componentsOf(image)) {
      const resource = componentResource(component);
      const real = resource.version!;
      const masked = this.mask(component.documentText);
      if (masked !== component.documentText) {
        this.versions.set(real, `~${versionFromHash(contentHash('snapshot:component', resource.platform, masked))}`);
      }
      componentVersions.set(stack.getLogicalId(resource), { real, shown: this.versions.get(real) ?? real });
    }
    const recipe = image.node.findChild('Recipe') as CfnElement;
    const properties = { ...template.Resources?.[stack.getLogicalId(recipe)]?.Properties };
    delete properties.Version;
    const withVersions = (pick: 'real' | 'shown') => canonicalJson({
      ...properties,
      Components: (properties.Components ?? []).map((entry: { ComponentArn?: any }) => ({
        ...entry,
        ComponentArn: componentVersions.get(entry.ComponentArn?.['Fn::GetAtt']?.[0])?.[pick] ?? entry.ComponentArn,
      })),
    });
    const real = withVersions('real');
    const shown = this.substitute(stack, withVersions('shown'));
    // The image key hashes the deploy-time build's workflows too, when it has some.
    const workflows = image.node.tryFindChild('Workflows');
    const workflowsSource = workflows instanceof ImageWorkflows ? workflows.identitySource : undefined;
    const workflowsShown = workflowsSource === undefined ? undefined : this.substitute(stack, workflowsSource);
    const workflowsFed = workflowsShown !== workflowsSource;
    if (real === shown && !workflowsFed) {
      return;
    }
    let recipeStandIn = image.imageRecipeVersion;
    if (real !== shown) {
      recipeStandIn = `~${versionFromHash(contentHash('snapshot:recipe', shown))}`;
      this.versions.set(image.imageRecipeVersion, recipeStandIn);
    }
    const keyStandIn = shortHash(contentHash('snapshot:image', recipeStandIn, image._buildParts.settings, ...(workflowsShown === undefined ? [] : [workflowsShown])),
      image.imageKey.length);
    this.keys.set(image.imageKey, keyStandIn);
    const built = image.node.tryFindChild('Image');
    if (built instanceof CfnElement) {
      const ids = this.images.get(stack) ?? new Map<string, string>();
      ids.set(stack.getLogicalId(built), keyStandIn);
      this.images.set(stack, ids);
    }
  }

  /**
   * A generation's stand-in: from what its key hashes (the launch template, the target group's
   * port, protocol and health check path, the subnets), as the template shows them.
   */
  public addDeployment(deployment: ImmutableDeployment): void {
    const stack = Stack.of(deployment);
    const resources = synthesisedTemplate(stack).Resources ?? {};
    const propertiesOf = (construct: IConstruct) => resources[stack.getLogicalId(construct.node.defaultChild as CfnElement)]?.Properties ?? {};
    const targetGroup = propertiesOf(deployment.targetGroup);
    const inputs = {
      launch: propertiesOf(deployment.launchTemplate).LaunchTemplateData,
      targetGroup: [targetGroup.Port, targetGroup.Protocol, targetGroup.HealthCheckPath, targetGroup.VpcId],
      subnets: propertiesOf(deployment.autoScalingGroup).VPCZoneIdentifier,
    };
    const key = deployment.generationKey;
    const real = withoutKeyedSuffixes(canonicalJson(inputs), key, 'KEY');
    const shown = this.substitute(stack, real);
    if (real !== shown) {
      this.keys.set(key, shortHash(contentHash('snapshot:generation', shown), key.length));
    }
  }

  private mask(text: string): string {
    return replaceHashes(text, this.userAssetHashes, () => 'ASSET');
  }

  /** Masks assets and puts the stand-ins known so far in place of what they stand for. */
  private substitute(stack: Stack, text: string): string {
    let result = this.mask(text);
    for (const [real, standIn] of this.keys) {
      result = result.split(real).join(standIn);
    }
    for (const [logicalId, standIn] of this.images.get(stack) ?? []) {
      result = result.split(`"${logicalId}"`).join(`"${logicalId}~${standIn}"`);
    }
    return result;
  }
}

function componentsOf(image: GoldenImage): ImageComponent[] {
  return image.node.children.filter((c): c is ImageComponent => c instanceof ImageComponent);
}

function componentResource(component: ImageComponent): { version?: string; platform: string } & CfnElement {
  return component.node.defaultChild as { version?: string; platform: string } & CfnElement;
}
