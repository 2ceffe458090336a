import { AssemblyStack, CfnResource, CloudAssembly } from './cloud-assembly';
import { usageError } from '../core/cli-error';

/** An image in the assembly: an Image Builder recipe (image or container), and the image resource that builds it, if any. */
export interface FoundImage {
  readonly stack: AssemblyStack;
  /** The construct path of the image (a GoldenImage's own path), without a leading slash. */
  readonly path: string;
  readonly recipeLogicalId: string;
  readonly recipe: CfnResource;
  /** The `AWS::ImageBuilder::Image` that builds the recipe at deploy time, when there is one. */
  readonly image?: CfnResource;
}

/** The recipe types, and the property of an image that names its recipe. */
const RECIPE_ARN_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::ImageBuilder::ImageRecipe': 'ImageRecipeArn',
  'AWS::ImageBuilder::ContainerRecipe': 'ContainerRecipeArn',
};

/** Every image and container recipe in the assembly, in stack and template order. */
export function listImages(assembly: CloudAssembly): FoundImage[] {
  const images: FoundImage[] = [];
  for (const stack of assembly.stacks) {
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      const arnProperty = RECIPE_ARN_PROPERTY[resource.Type];
      if (!arnProperty) {
        continue;
      }
      const image = Object.values(stack.resources).find(r => r.Type === 'AWS::ImageBuilder::Image' && refersTo(r.Properties?.[arnProperty], logicalId));
      images.push({ stack, path: imagePath(stack, logicalId), recipeLogicalId: logicalId, recipe: resource, image });
    }
  }
  return images;
}

/**
 * The image `wanted` names: its construct path (`GoldenWebDebian/WebImage`), its construct id
 * (`WebImage`) when only one image has it, or the logical id of its recipe or image resource
 * (`Stack/LogicalId` where stacks share logical ids).
 * Without `wanted`, the assembly's only image. Anything else is bad input listing the images.
 */
export function findImage(assembly: CloudAssembly, wanted: string | undefined): FoundImage {
  const images = listImages(assembly);
  const list = images.map(i => i.path).join(', ');
  if (images.length === 0) {
    throw usageError(`${assembly.directory} holds no image (no AWS::ImageBuilder::ImageRecipe or ContainerRecipe in any stack): synthesise an app with a GoldenImage or GoldenContainerImage`);
  }
  if (wanted === undefined) {
    if (images.length > 1) {
      throw usageError(`--image is needed: ${assembly.directory} holds ${images.length} images (${list}); pass one of them`);
    }
    return images[0];
  }
  const key = wanted.replace(/^\/+/, '').replace(/\/+$/, '');
  const exact = images.filter(i => i.path === key || i.recipe.Properties?.Name === key
    || [i.recipeLogicalId, imageLogicalId(i)].some(id => id !== undefined && (key === id || key === `${i.stack.id}/${id}`)));
  const byId = exact.length > 0 ? exact : images.filter(i => i.path.split('/').pop() === key);
  if (byId.length === 1) {
    return byId[0];
  }
  if (byId.length > 1) {
    throw usageError(`--image ${wanted} is ambiguous: ${byId.map(i => i.path).join(', ')} all match; pass the full construct path`);
  }
  throw usageError(`--image ${wanted}: no such image in ${assembly.directory}; the images are ${list}`);
}

function imageLogicalId(image: FoundImage): string | undefined {
  return Object.entries(image.stack.resources).find(([, r]) => r === image.image)?.[0];
}

/** The image's construct path: the recipe's path without its `Resource` and `Recipe` ids. */
function imagePath(stack: AssemblyStack, recipeLogicalId: string): string {
  const recipePath = stack.paths.get(recipeLogicalId);
  if (!recipePath) {
    return `${stack.id}/${recipeLogicalId}`;
  }
  return recipePath.replace(/^\/+/, '').replace(/\/Resource$/, '').replace(/\/Recipe$/, '');
}

/** Whether a template value is `Fn::GetAtt` or `Ref` of `logicalId`. */
export function refersTo(value: unknown, logicalId: string): boolean {
  return referencedLogicalId(value) === logicalId;
}

/** The logical id a `Fn::GetAtt [id, attr]` or `Ref: id` names, if the value is one. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
    return getAtt[0];
  }
  if (typeof getAtt === 'string') {
    return getAtt.split('.')[0];
  }
  const ref = (value as Record<string, unknown>).Ref;
  return typeof ref === 'string' ? ref : undefined;
}
