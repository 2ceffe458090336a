import { ImageRebake } from './image-rebakes';
import { ReleaseSchedule, releaseSchedule } from './release-schedule';
import { canonical } from './template-values';
import { unifiedDiff } from './unified-diff';
import { RELEASE_RESOURCE_TYPE } from '../../release-contract/release-properties';
import { withoutKeyedSuffixes } from '../../snapshot/keyed-ids';
import { AssemblyStack, CfnResource } from '../assembly/cloud-assembly';
import { referencedLogicalId } from '../assembly/image-lookup';

/** A deployment that rolls out a new generation on this deploy. */
export interface GenerationRelease {
  /** The deployment's construct path (or its release resource's logical id). */
  readonly deployment: string;
  readonly generation: { readonly from?: string; readonly to: string };
  /** Why the generation is new: the inputs its key hashes that changed. */
  readonly reasons: string[];
  /** The user data's unified diff, when it changed. */
  readonly userDataDiff?: string;
  readonly schedule: ReleaseSchedule;
}

/** The resources of one generation, found from its release resource. */
interface GenerationResources {
  readonly key: string;
  readonly launchData: Record<string, unknown>;
  readonly targetGroup: Record<string, unknown>;
  readonly group: Record<string, unknown>;
  /** The roles of the launch template's instance profile. */
  readonly roles: unknown;
}

/**
 * The deployments of a stack whose generation key changed: each rolls out a new generation
 * (launch template, Auto Scaling group, target group) with a health-gated traffic shift.
 */
export function generationReleases(before: AssemblyStack | undefined, after: AssemblyStack, rebakes: readonly ImageRebake[]): GenerationRelease[] {
  const releases: GenerationRelease[] = [];
  for (const [logicalId, release] of Object.entries(after.resources)) {
    if (release.Type !== RELEASE_RESOURCE_TYPE) {
      continue;
    }
    const deployment = (after.paths.get(logicalId) ?? logicalId).replace(/^\/+/, '').replace(/\/Release(\/Default)?$/, '');
    const schedule = releaseSchedule(release.Properties ?? {});
    const next = generationOf(after, release);
    const previousRelease = before?.resources[logicalId];
    const previous = previousRelease?.Type === RELEASE_RESOURCE_TYPE ? generationOf(before!, previousRelease) : undefined;
    if (!previous) {
      releases.push({ deployment, generation: { to: next.key }, reasons: ['a new deployment: its first generation'], schedule });
    } else if (previous.key !== next.key) {
      const userData = [previous, next].map(g => userDataText(g.launchData.UserData));
      releases.push({
        deployment,
        generation: { from: previous.key, to: next.key },
        reasons: generationReasons(previous, next, rebakes),
        userDataDiff: unifiedDiff(userData[0], userData[1], { from: `user data (generation ${previous.key})`, to: `user data (generation ${next.key})` }) || undefined,
        schedule,
      });
    }
  }
  return releases;
}

function generationOf(stack: AssemblyStack, release: CfnResource): GenerationResources {
  const generation = (release.Properties?.Generation ?? {}) as Record<string, unknown>;
  const resource = (value: unknown) => stack.resources[referencedLogicalId(value) ?? '']?.Properties ?? {};
  const group = resource(generation.AutoScalingGroupName);
  const launchTemplate = resource((group.LaunchTemplate as Record<string, unknown> | undefined)?.LaunchTemplateId);
  const launchData = (launchTemplate.LaunchTemplateData ?? {}) as Record<string, unknown>;
  const profile = resource((launchData.IamInstanceProfile as Record<string, unknown> | undefined)?.Arn);
  return { key: String(generation.Key ?? ''), launchData, targetGroup: resource(generation.TargetGroupArn), group, roles: profile.Roles };
}

/** The inputs a generation key hashes, each compared with the generations' own ids normalised. */
function generationReasons(before: GenerationResources, after: GenerationResources, rebakes: readonly ImageRebake[]): string[] {
  const same = (a: unknown, b: unknown) => withoutKeyedSuffixes(canonical(a), before.key, 'KEY') === withoutKeyedSuffixes(canonical(b), after.key, 'KEY');
  const reasons: string[] = [];
  const image = [before.launchData.ImageId, after.launchData.ImageId];
  if (!same(image[0], image[1])) {
    reasons.push(`image: ${describeImageChange(describeImage(image[0]), describeImage(image[1]))}`);
  } else {
    const rebake = rebakes.find(r => r.logicalId === referencedLogicalId(image[1]));
    if (rebake) {
      reasons.push(`image: ${rebake.image} re-bakes`);
    }
  }
  const inputs: Array<[string, unknown, unknown]> = [
    ['instance type', before.launchData.InstanceType, after.launchData.InstanceType],
    ['user data', before.launchData.UserData, after.launchData.UserData],
    ['instance role', before.roles, after.roles],
    ['security groups', before.launchData.SecurityGroupIds, after.launchData.SecurityGroupIds],
    ['root volume', before.launchData.BlockDeviceMappings, after.launchData.BlockDeviceMappings],
    ['instance metadata', before.launchData.MetadataOptions, after.launchData.MetadataOptions],
    ['network interfaces', before.launchData.NetworkInterfaces, after.launchData.NetworkInterfaces],
    ['detailed monitoring', before.launchData.Monitoring, after.launchData.Monitoring],
    ['subnets', before.group.VPCZoneIdentifier, after.group.VPCZoneIdentifier],
  ];
  for (const [name, from, to] of inputs) {
    if (!same(from, to)) {
      reasons.push(name === 'user data' ? 'user data changed' : `${name}: ${canonical(from)} -> ${canonical(to)}`);
    }
  }
  for (const property of ['Port', 'Protocol', 'HealthCheckPath', 'VpcId']) {
    if (!same(before.targetGroup[property], after.targetGroup[property])) {
      reasons.push(`target group ${property}: ${canonical(before.targetGroup[property])} -> ${canonical(after.targetGroup[property])}`);
    }
  }
  if (reasons.length === 0) {
    reasons.push(`generation key ${before.key} -> ${after.key}: an input the template does not show (generationKey, or the image's identity)`);
  }
  return reasons;
}

/** An image reference for people: an SSM parameter's path, an image resource's logical id, or the value. */
function describeImage(value: unknown): string {
  const text = canonical(value);
  const ssm = /\{\{resolve:ssm:([^}]+)\}\}/.exec(text);
  if (ssm) {
    return `SSM parameter ${ssm[1].replace(/:\d+$/, '')}`;
  }
  const id = referencedLogicalId(value);
  return id ? `the image built by ${id}` : text;
}

/** Two image references, their common start said once (`SSM parameter /a/b/{key1 -> key2}`). */
function describeImageChange(from: string, to: string): string {
  let common = 0;
  while (common < Math.min(from.length, to.length) && from[common] === to[common]) {
    common++;
  }
  const cut = from.lastIndexOf('/', common - 1) + 1;
  return cut > 0 ? `${from.slice(0, cut)}{${from.slice(cut)} -> ${to.slice(cut)}}` : `${from} -> ${to}`;
}

function userDataText(value: unknown): string {
  const inner = (value as Record<string, unknown> | undefined)?.['Fn::Base64'] ?? value;
  return typeof inner === 'string' ? inner : canonical(inner);
}
