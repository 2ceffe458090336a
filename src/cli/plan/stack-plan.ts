import { GenerationRelease, generationReleases } from './generation-releases';
import { ImageRebake, imageRebakes } from './image-rebakes';
import { ResourceChanges, resourceChanges } from './resource-changes';
import { CloudAssembly } from '../assembly/cloud-assembly';

/** What deploying the app over the base does to one stack. */
export interface StackPlan extends ResourceChanges {
  readonly stack: string;
  /** `new`: the base has no such stack; `removed`: the app has none; else `changed` or `unchanged`. */
  readonly status: 'new' | 'removed' | 'changed' | 'unchanged';
  readonly rebakes: ImageRebake[];
  readonly releases: GenerationRelease[];
}

/** The plan of every stack of either assembly, in the app's order, then stacks only the base has. */
export function planStacks(base: CloudAssembly, app: CloudAssembly): StackPlan[] {
  const plans: StackPlan[] = [];
  for (const stack of app.stacks) {
    const before = base.stacks.find(s => s.id === stack.id);
    const rebakes = imageRebakes(base, app, stack.id);
    const releases = generationReleases(before, stack, rebakes);
    const changes = resourceChanges(before, stack, releases.map(r => r.generation));
    const changed = [changes.inPlace, changes.replaced, changes.added, changes.removed].some(list => list.length > 0);
    plans.push({ stack: stack.id, status: !before ? 'new' : changed ? 'changed' : 'unchanged', rebakes, releases, ...changes });
  }
  for (const stack of base.stacks.filter(s => !app.stacks.some(a => a.id === s.id))) {
    plans.push({ stack: stack.id, status: 'removed', rebakes: [], releases: [], inPlace: [], replaced: [], added: [], removed: [] });
  }
  return plans;
}
