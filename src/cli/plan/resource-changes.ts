import { changedProperties } from './template-values';
import { withoutKeyedSuffixes } from '../../snapshot/keyed-ids';
import { AssemblyStack, CfnResource } from '../assembly/cloud-assembly';

/** One resource the deploy creates, deletes, replaces or updates. */
export interface ResourceChange {
  readonly logicalId: string;
  readonly type: string;
  /** Construct path, when the assembly records it. */
  readonly path?: string;
  /** The top-level properties that changed (updates and replacements). */
  readonly properties?: string[];
  /** For a replacement: the logical id it replaces, when that differs. */
  readonly replaces?: string;
}

export interface ResourceChanges {
  readonly inPlace: ResourceChange[];
  readonly replaced: ResourceChange[];
  readonly added: ResourceChange[];
  readonly removed: ResourceChange[];
}

/**
 * Image Builder components, recipes and images are immutable: CloudFormation replaces them on a
 * change of any property but their tags ("Update requires: Replacement" on each in
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-imagebuilder-component.html,
 * and the imagerecipe and image pages beside it).
 */
const IMMUTABLE_TYPES = new Set(['AWS::ImageBuilder::Component', 'AWS::ImageBuilder::ImageRecipe', 'AWS::ImageBuilder::Image',
  'AWS::ImageBuilder::ContainerRecipe']);

/** CDK's own bookkeeping, which changes with the CDK version and deploys nothing of the app's. */
const IGNORED_TYPES = new Set(['AWS::CDK::Metadata']);

/**
 * Every resource that differs between the two templates. A generation's resources, whose
 * logical ids hold its key, pair with the previous generation's as replacements; other changed
 * resources of the immutable Image Builder types are replaced, the rest updated (CloudFormation
 * decides per property whether an update replaces: `cdk diff` says which).
 */
export function resourceChanges(before: AssemblyStack | undefined, after: AssemblyStack,
  generationKeys: ReadonlyArray<{ from?: string; to: string }>): ResourceChanges {
  const oldResources = before?.resources ?? {};
  const changes: ResourceChanges = { inPlace: [], replaced: [], added: [], removed: [] };
  const describe = (stack: AssemblyStack, logicalId: string, resource: CfnResource, extra: Partial<ResourceChange> = {}): ResourceChange =>
    ({ logicalId, type: resource.Type, path: stack.paths.get(logicalId)?.replace(/^\/+/, ''), ...extra });
  const pairedOld = new Set<string>();
  for (const [logicalId, resource] of Object.entries(after.resources)) {
    if (IGNORED_TYPES.has(resource.Type)) {
      continue;
    }
    const previous = oldResources[logicalId] ?? undefined;
    if (previous && previous.Type === resource.Type) {
      const properties = changedProperties(previous, resource);
      if (properties.length > 0) {
        const replaced = IMMUTABLE_TYPES.has(resource.Type) && properties.some(p => p !== 'Tags');
        (replaced ? changes.replaced : changes.inPlace).push(describe(after, logicalId, resource, { properties }));
      }
      continue;
    }
    const replaces = previousGeneration(logicalId, resource, oldResources, generationKeys);
    if (replaces) {
      pairedOld.add(replaces);
      changes.replaced.push(describe(after, logicalId, resource, { replaces, properties: changedProperties(oldResources[replaces], resource) }));
    } else {
      changes.added.push(describe(after, logicalId, resource));
    }
  }
  for (const [logicalId, resource] of Object.entries(oldResources)) {
    if (!IGNORED_TYPES.has(resource.Type) && !pairedOld.has(logicalId) && after.resources[logicalId]?.Type !== resource.Type) {
      changes.removed.push(describe(before!, logicalId, resource));
    }
  }
  return changes;
}

function previousGeneration(logicalId: string, resource: CfnResource, oldResources: Readonly<Record<string, CfnResource>>,
  generationKeys: ReadonlyArray<{ from?: string; to: string }>): string | undefined {
  for (const key of generationKeys) {
    if (!key.from || !logicalId.includes(key.to)) {
      continue;
    }
    const normalised = withoutKeyedSuffixes(logicalId, key.to, 'KEY');
    const match = Object.entries(oldResources).find(([id, old]) => old.Type === resource.Type && withoutKeyedSuffixes(id, key.from!, 'KEY') === normalised);
    if (match) {
      return match[0];
    }
  }
  return undefined;
}
