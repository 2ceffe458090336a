import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { ImageBuilder } from './bench-case';
import { sharedVpcOf } from './benchmark-image';
import { validatorUse } from './validator-spy';

/** Median, min and max of a sample. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values.length };
}

/** What one synthesis of a stack with `count` copies produces. */
export interface Economy {
  readonly count: number;
  /** Resources of the copies, without the stack's shared VPC. */
  readonly resources: number;
  /** Minified JSON of the template without the shared VPC's resources. */
  readonly templateBytes: number;
  /** Of which resources' Metadata blocks (for us, cdk-nag suppressions with their reasons). */
  readonly metadataBytes: number;
  readonly lambdaFunctions: number;
  /** Custom resources (Custom::* and AWS::CloudFormation::CustomResource). */
  readonly customResources: number;
  readonly resourcesByType: Record<string, number>;
  /** The shared VPC, when the case needs one. */
  readonly sharedVpc?: { readonly resources: number; readonly templateBytes: number };
  /**
   * Resources that share a literal physical name with another of the same type: CloudFormation
   * cannot create both, so such a stack synthesises but does not deploy.
   */
  readonly duplicateNames: number;
  /** Every resource type in the template, shared VPC included. */
  readonly resourceTypes: string[];
  /** CloudFormation refuses more than 500 resources in one stack. */
  readonly totalResources: number;
  readonly overStackLimit: boolean;
}

export const STACK_RESOURCE_LIMIT = 500;

// Each synthesis writes its cloud assembly into a directory of its own under here; removed
// after the synthesis, outside the timed part, and all of it when the process ends.
const OUT_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
process.on('exit', () => fs.rmSync(OUT_ROOT, { recursive: true, force: true }));

export function buildApp(build: ImageBuilder, count: number): { app: App; stack: Stack; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(OUT_ROOT, 'app-'));
  // aws-cdk-lib's own 500-resource check would stop the 50-deployment stack; the economy
  // figures report the limit themselves.
  const app = new App({ outdir, context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Bench', { env: { account: '123456789012', region: 'eu-west-1' } });
  for (let i = 0; i < count; i++) {
    build(stack, i);
  }
  return { app, stack, outdir };
}

type Template = { Resources: Record<string, { Type: string; Metadata?: unknown; Properties?: Record<string, unknown> }> };

export function economy(build: ImageBuilder, count: number): Economy {
  const { app, stack, outdir } = buildApp(build, count);
  const template = app.synth().getStackByName(stack.stackName).template as Template;
  fs.rmSync(outdir, { recursive: true, force: true });

  const vpc = sharedVpcOf(stack);
  const sharedIds = new Set((vpc?.node.findAll() ?? []).filter(CfnResource.isCfnResource).map(r => stack.resolve(r.logicalId) as string));
  const own: Template = { ...template, Resources: {} };
  const shared: Template = { Resources: {} };
  for (const [id, resource] of Object.entries(template.Resources)) {
    (sharedIds.has(id) ? shared : own).Resources[id] = resource;
  }
  const byType: Record<string, number> = {};
  for (const r of Object.values(own.Resources)) {
    byType[r.Type] = (byType[r.Type] ?? 0) + 1;
  }
  const ownCount = Object.keys(own.Resources).length;
  const totalResources = Object.keys(template.Resources).length;
  return {
    count,
    resources: ownCount,
    templateBytes: Buffer.byteLength(JSON.stringify(own)),
    metadataBytes: Object.values(own.Resources).reduce((sum, r) => sum + (r.Metadata ? Buffer.byteLength(`,"Metadata":${JSON.stringify(r.Metadata)}`) : 0), 0),
    lambdaFunctions: byType['AWS::Lambda::Function'] ?? 0,
    customResources: Object.entries(byType)
      .filter(([type]) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource')
      .reduce((sum, [, n]) => sum + n, 0),
    resourcesByType: byType,
    sharedVpc: vpc ? { resources: sharedIds.size, templateBytes: Buffer.byteLength(JSON.stringify(shared.Resources)) } : undefined,
    duplicateNames: duplicateNames(template),
    resourceTypes: [...new Set(Object.values(template.Resources).map(r => r.Type))].sort(),
    totalResources,
    overStackLimit: totalResources > STACK_RESOURCE_LIMIT,
  };
}

function duplicateNames(template: Template): number {
  const seen = new Map<string, number>();
  for (const r of Object.values(template.Resources)) {
    const props = r.Properties ?? {};
    for (const key of ['Name', 'InstanceProfileName', 'RoleName', 'TopicName', 'StateMachineName', 'FunctionName', 'AliasName']) {
      const value = props[key];
      // Only literal names: tokens (objects) resolve to distinct values at deploy time.
      if (typeof value === 'string' && !(key === 'InstanceProfileName' && r.Type !== 'AWS::IAM::InstanceProfile')) {
        const id = `${r.Type}|${value}`;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    }
  }
  return [...seen.values()].filter(n => n > 1).reduce((sum, n) => sum + n, 0);
}

/** One in-process synthesis: wall time, heap growth, and the validator's share. */
export interface SynthSample {
  readonly ms: number;
  readonly heapBytes: number;
  readonly validatorCalls: number;
  readonly validatorMs: number;
}

/** Wall time (ms) and heap growth (bytes) of constructing and synthesising one app. */
export function synthOnce(build: ImageBuilder, count: number): SynthSample {
  const gc = (global as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const validatorBefore = validatorUse();
  const start = process.hrtime.bigint();
  const { app, outdir } = buildApp(build, count);
  app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const heapBytes = process.memoryUsage().heapUsed - heapBefore;
  const validatorAfter = validatorUse();
  fs.rmSync(outdir, { recursive: true, force: true });
  return {
    ms,
    heapBytes,
    validatorCalls: validatorAfter.calls - validatorBefore.calls,
    validatorMs: validatorAfter.ms - validatorBefore.ms,
  };
}

/** Every numeric field of a sample, as a spread over the runs. */
export type Spreads<T> = { [K in keyof T]: Spread };

/**
 * Runs the cases interleaved so that machine noise hits all of them alike: every round runs
 * each case once, starting one case further along than the round before (so no case always
 * follows the same one), after warm-up rounds that load modules and fill caches.
 */
export function interleaved<T extends object>(cases: Record<string, () => T>, runs: number, warmup = 2): Record<string, Spreads<T>> {
  const names = Object.keys(cases);
  for (let i = 0; i < warmup; i++) {
    names.forEach(n => cases[n]());
  }
  const samples: Record<string, T[]> = {};
  names.forEach(n => (samples[n] = []));
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      samples[name].push(cases[name]());
    }
  }
  const out: Record<string, Spreads<T>> = {};
  for (const n of names) {
    out[n] = spreads(samples[n]);
  }
  return out;
}

export function spreads<T extends object>(samples: T[]): Spreads<T> {
  const out: Record<string, Spread> = {};
  for (const key of Object.keys(samples[0])) {
    out[key] = spread(samples.map(s => (s as Record<string, number>)[key]));
  }
  return out as Spreads<T>;
}
