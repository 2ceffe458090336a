import { AssetChange, assetChanges, assetLocations } from './asset-changes';
import { canonical, changedProperties } from './template-values';
import { unifiedDiff } from './unified-diff';
import { AssemblyStack, CfnResource, CloudAssembly } from '../assembly/cloud-assembly';
import { componentDocumentText } from '../assembly/component-source';
import { FoundImage, listImages, referencedLogicalId } from '../assembly/image-lookup';
import { resolveIntrinsics } from '../assembly/intrinsics';

/** Why an image bakes again: one changed input. */
export interface RebakeReason {
  readonly kind: 'new-image' | 'component' | 'component-added' | 'component-removed' | 'parent' | 'root-volume' | 'recipe' | 'image-settings' | 'other';
  readonly summary: string;
  /** For a component: the unified diff of its AWSTOE document. */
  readonly diff?: string;
  /** For a component: what changed inside the assets it downloads. */
  readonly assets?: AssetChange[];
}

/** An image whose deploy-time build runs again on this deploy. */
export interface ImageRebake {
  /** The image's construct path. */
  readonly image: string;
  /** The Image resource's logical id. */
  readonly logicalId: string;
  readonly recipeVersion: { readonly from?: string; readonly to: string };
  readonly reasons: RebakeReason[];
}

/**
 * The images of a stack that re-bake: every image built during deployment (an
 * `AWS::ImageBuilder::Image`) whose recipe or own settings changed. Image Builder recipes and
 * components are immutable, so CloudFormation replaces them, and the image that builds them.
 */
export function imageRebakes(base: CloudAssembly, app: CloudAssembly, stackId: string): ImageRebake[] {
  // By the recipe's name: stable, and known in a folder of templates, which records no construct paths.
  const nameOf = (image: FoundImage) => String(image.recipe.Properties?.Name ?? image.path);
  const before = new Map(imagesOf(base, stackId).map(i => [nameOf(i), i]));
  const rebakes: ImageRebake[] = [];
  for (const image of imagesOf(app, stackId)) {
    if (!image.image) {
      continue;
    }
    const to = String(image.recipe.Properties?.Version ?? '');
    const previous = before.get(nameOf(image));
    const logicalId = imageLogicalId(image);
    if (!previous?.image) {
      rebakes.push({ image: image.path, logicalId, recipeVersion: { to }, reasons: [{ kind: 'new-image', summary: 'a new image: its first bake' }] });
      continue;
    }
    const reasons = [
      ...recipeReasons(base, app, previous, image),
      ...changedProperties(previous.image, image.image, ['ImageRecipeArn']).map((property): RebakeReason =>
        ({ kind: 'image-settings', summary: `image ${property}: ${canonical(previous.image!.Properties?.[property])} -> ${canonical(image.image!.Properties?.[property])}` })),
    ];
    if (reasons.length > 0) {
      rebakes.push({ image: image.path, logicalId, recipeVersion: { from: String(previous.recipe.Properties?.Version ?? ''), to }, reasons });
    }
  }
  return rebakes;
}

function imagesOf(assembly: CloudAssembly, stackId: string): FoundImage[] {
  return listImages({ ...assembly, stacks: assembly.stacks.filter(s => s.id === stackId) });
}

function imageLogicalId(image: FoundImage): string {
  return Object.entries(image.stack.resources).find(([, r]) => r === image.image)?.[0] ?? image.recipeLogicalId;
}

function recipeReasons(base: CloudAssembly, app: CloudAssembly, before: FoundImage, after: FoundImage): RebakeReason[] {
  const oldRecipe = before.recipe.Properties ?? {};
  const newRecipe = after.recipe.Properties ?? {};
  if (canonical(oldRecipe) === canonical(newRecipe)) {
    return [];
  }
  const reasons: RebakeReason[] = [...componentReasons(base, app, before, after)];
  for (const property of changedProperties(before.recipe, after.recipe, ['Components', 'Version'])) {
    const from = canonical(resolveQuietly(oldRecipe[property], before.stack));
    const to = canonical(resolveQuietly(newRecipe[property], after.stack));
    if (property === 'ParentImage') {
      reasons.push({ kind: 'parent', summary: `parent image: ${from} -> ${to}` });
    } else if (property === 'BlockDeviceMappings') {
      reasons.push({ kind: 'root-volume', summary: `root volume: ${from} -> ${to}` });
    } else {
      reasons.push({ kind: 'recipe', summary: `recipe ${property}: ${from} -> ${to}` });
    }
  }
  if (reasons.length === 0) {
    reasons.push({
      kind: 'other',
      summary: `recipe version ${String(oldRecipe.Version)} -> ${String(newRecipe.Version)}: an input the template does not show (such as rebuildKey)`,
    });
  }
  return reasons;
}

interface RecipeComponent {
  readonly label: string;
  readonly resource?: CfnResource;
  readonly parameters?: unknown;
  readonly arn: unknown;
}

function componentReasons(base: CloudAssembly, app: CloudAssembly, before: FoundImage, after: FoundImage): RebakeReason[] {
  const oldComponents = recipeComponents(before);
  const newComponents = recipeComponents(after);
  const reasons: RebakeReason[] = [];
  for (const component of newComponents) {
    const previous = oldComponents.find(c => c.label === component.label);
    if (!previous) {
      reasons.push({ kind: 'component-added', summary: `component ${component.label} added` });
      continue;
    }
    const from = previous.resource?.Properties?.Version;
    const to = component.resource?.Properties?.Version;
    if (canonical(previous.resource?.Properties ?? previous.arn) !== canonical(component.resource?.Properties ?? component.arn)) {
      const oldText = documentOf(base, before.stack, previous);
      const newText = documentOf(app, after.stack, component);
      reasons.push({
        kind: 'component',
        summary: `component ${component.label} ${String(from ?? '')} -> ${String(to ?? '')}`.replace(/ {2,}/g, ' ').replace(/ -> $/, ' changed'),
        diff: unifiedDiff(oldText, newText, { from: `${component.label} ${String(from ?? '')} (base)`, to: `${component.label} ${String(to ?? '')} (app)` }),
        assets: assetChanges(base, app, assetLocations(oldText), assetLocations(newText)),
      });
    } else if (canonical(previous.parameters) !== canonical(component.parameters)) {
      reasons.push({ kind: 'component', summary: `component ${component.label} parameters: ${canonical(previous.parameters)} -> ${canonical(component.parameters)}` });
    }
  }
  for (const component of oldComponents.filter(c => !newComponents.some(n => n.label === c.label))) {
    reasons.push({ kind: 'component-removed', summary: `component ${component.label} removed` });
  }
  const kept = (label: string) => oldComponents.some(o => o.label === label) && newComponents.some(n => n.label === label);
  const order = (list: RecipeComponent[]) => list.map(c => c.label).filter(kept);
  if (canonical(order(oldComponents)) !== canonical(order(newComponents))) {
    reasons.push({ kind: 'recipe', summary: `component order: ${order(oldComponents).join(', ')} -> ${order(newComponents).join(', ')}` });
  }
  return reasons;
}

function recipeComponents(image: FoundImage): RecipeComponent[] {
  const recipeName = String(image.recipe.Properties?.Name ?? '');
  const entries = (image.recipe.Properties?.Components ?? []) as Array<{ ComponentArn?: unknown; Parameters?: unknown }>;
  return entries.map(entry => {
    const logicalId = referencedLogicalId(entry.ComponentArn);
    const resource = logicalId ? image.stack.resources[logicalId] : undefined;
    const name = resource ? String(resource.Properties?.Name ?? logicalId) : canonical(resolveQuietly(entry.ComponentArn, image.stack));
    const label = recipeName && name.startsWith(`${recipeName}-`) ? name.slice(recipeName.length + 1) : name;
    return { label, resource, parameters: entry.Parameters, arn: resolveQuietly(entry.ComponentArn, image.stack) };
  });
}

/** The component's document, or its resource as JSON when the document cannot be read offline. */
function documentOf(assembly: CloudAssembly, stack: AssemblyStack, component: RecipeComponent): string {
  if (!component.resource) {
    return canonical(component.arn);
  }
  try {
    return componentDocumentText(assembly, component.resource.Properties ?? {}, component.label, { parameters: stack.parameters });
  } catch {
    return JSON.stringify(component.resource.Properties ?? {}, null, 2);
  }
}

function resolveQuietly(value: unknown, stack: AssemblyStack): unknown {
  try {
    return resolveIntrinsics(value, { parameters: stack.parameters });
  } catch {
    return value;
  }
}
