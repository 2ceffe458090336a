import { GenerationRelease } from './generation-releases';
import { ImageRebake } from './image-rebakes';
import { ReleaseSchedule } from './release-schedule';
import { ResourceChange } from './resource-changes';
import { StackPlan } from './stack-plan';

/** The plan for people: per stack, what re-bakes and why, what releases and how, what else changes. */
export function renderPlan(plans: readonly StackPlan[]): string {
  const lines: string[] = [];
  for (const plan of plans) {
    lines.push(`${plan.stack}${plan.status === 'new' ? ' (new stack)' : plan.status === 'removed' ? ' (removed stack)' : ''}: ${headline(plan)}`);
    plan.rebakes.forEach(rebake => lines.push(...rebakeLines(rebake)));
    plan.releases.forEach(release => lines.push(...releaseLines(release)));
    for (const [title, list] of [['Replaced', plan.replaced], ['Updated in place', plan.inPlace], ['New', plan.added], ['Removed', plan.removed]] as const) {
      if (list.length > 0) {
        lines.push(`  ${title} (${list.length}):`, ...list.map(change => `    ${describeChange(change)}`));
      }
    }
  }
  const rebakes = plans.flatMap(p => p.rebakes.map(r => r.image));
  const releases = plans.flatMap(p => p.releases.map(r => r.deployment));
  lines.push('', rebakes.length === 0 && releases.length === 0
    ? 'No re-bake, no release.'
    : `${count(rebakes.length, 're-bake')}${rebakes.length ? ` (${rebakes.join(', ')})` : ''}, ${count(releases.length, 'release')}${releases.length ? ` (${releases.join(', ')})` : ''}.`);
  return `${lines.join('\n')}\n`;
}

function headline(plan: StackPlan): string {
  const changes = plan.inPlace.length + plan.replaced.length + plan.added.length + plan.removed.length;
  if (plan.rebakes.length === 0 && plan.releases.length === 0) {
    return changes === 0 ? 'no change: no re-bake, no release' : `no re-bake, no release; ${count(changes, 'resource')} change`;
  }
  return [plan.rebakes.length ? `re-bakes ${count(plan.rebakes.length, 'image')}` : 'no re-bake',
    plan.releases.length ? `releases ${count(plan.releases.length, 'new generation')}` : 'no release'].join(', ');
}

function rebakeLines(rebake: ImageRebake): string[] {
  const version = rebake.recipeVersion.from ? `recipe ${rebake.recipeVersion.from} -> ${rebake.recipeVersion.to}` : `recipe ${rebake.recipeVersion.to}`;
  const lines = [`  Re-bakes ${rebake.image} (${version})`];
  for (const reason of rebake.reasons) {
    lines.push(`    - ${reason.summary}`);
    for (const asset of reason.assets ?? []) {
      lines.push(`        asset ${asset.location}: ${asset.unknown ?? describeFiles(asset)}`);
    }
    if (reason.diff) {
      lines.push(...indent(reason.diff, 8));
    }
  }
  return lines;
}

function describeFiles(asset: { added: string[]; removed: string[]; changed: string[] }): string {
  const parts = [['changed', asset.changed], ['added', asset.added], ['removed', asset.removed]] as const;
  const described = parts.filter(([, files]) => files.length > 0).map(([what, files]) => `${what} ${files.join(', ')}`);
  return described.length > 0 ? described.join('; ') : 'same files, new location';
}

function releaseLines(release: GenerationRelease): string[] {
  const generation = release.generation.from ? `generation ${release.generation.from} -> ${release.generation.to}` : `generation ${release.generation.to}`;
  return [
    `  Releases ${release.deployment} (${generation})`,
    ...release.reasons.map(reason => `    - ${reason}`),
    ...(release.userDataDiff ? indent(release.userDataDiff, 8) : []),
    ...scheduleLines(release.schedule).map(line => `    ${line}`),
  ];
}

/** The release's steps and phases, and its total against CloudFormation's limit. */
export function scheduleLines(schedule: ReleaseSchedule): string[] {
  const steps = schedule.steps.map(s => `${s.percent} % at +${duration(s.atSeconds)}`).join(', ');
  const total = `${duration(schedule.totalSeconds)} of the ${duration(schedule.limitSeconds)} limit`;
  return [
    `${schedule.strategy.toLowerCase().replace(/_/g, ' ')}: ${steps} (after the new generation is healthy)`,
    `up to ${duration(schedule.warmUpSeconds)} to become healthy + ${schedule.verifySeconds ? `${duration(schedule.verifySeconds)} verifying + ` : ''}${duration(schedule.shiftSeconds)} shifting + ${duration(schedule.bakeSeconds)} bake `
      + `+ ${duration(schedule.drainSeconds)} drain + ${duration(schedule.marginSeconds)} margin = ${total}`
      + (schedule.totalSeconds > schedule.limitSeconds ? ': TOO LONG, the deploy will fail' : ''),
  ];
}

function describeChange(change: ResourceChange): string {
  const where = change.path ? ` ${change.path}` : '';
  const what = change.replaces ? `, replaces ${change.replaces}` : change.properties ? `: ${change.properties.join(', ')}` : '';
  return `${change.logicalId} (${change.type})${where}${what}`;
}

function duration(seconds: number): string {
  return seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function indent(text: string, spaces: number): string[] {
  return text.split('\n').map(line => `${' '.repeat(spaces)}${line}`);
}
