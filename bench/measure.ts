import { App, Stack } from 'aws-cdk-lib';
import { ImageBuilder } from './cases';

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

/** What one synthesis of a stack with `count` images produces. */
export interface Economy {
  readonly resources: number;
  readonly templateBytes: number;
  readonly lambdaFunctions: number;
  readonly resourcesByType: Record<string, number>;
}

export function buildApp(build: ImageBuilder, count: number): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'Bench', { env: { account: '123456789012', region: 'eu-west-1' } });
  for (let i = 0; i < count; i++) {
    build(stack, i);
  }
  return { app, stack };
}

export function economy(build: ImageBuilder, count: number): Economy {
  const { app, stack } = buildApp(build, count);
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string }> };
  const byType: Record<string, number> = {};
  for (const r of Object.values(template.Resources)) {
    byType[r.Type] = (byType[r.Type] ?? 0) + 1;
  }
  return {
    resources: Object.keys(template.Resources).length,
    templateBytes: Buffer.byteLength(JSON.stringify(template)),
    lambdaFunctions: byType['AWS::Lambda::Function'] ?? 0,
    resourcesByType: byType,
  };
}

/** Wall time (ms) and heap growth (bytes) of constructing and synthesising one app. */
export function synthOnce(build: ImageBuilder, count: number): { ms: number; heapBytes: number } {
  const gc = (global as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  const { app } = buildApp(build, count);
  app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const heapBytes = process.memoryUsage().heapUsed - heapBefore;
  return { ms, heapBytes };
}

/**
 * Runs the cases interleaved (a, b, a, b, ...) so machine noise hits all of them alike, after
 * warm-up runs that load modules and fill caches.
 */
export function interleaved(cases: Record<string, () => { ms: number; heapBytes: number }>, runs: number, warmup = 2): Record<string, { ms: Spread; heapBytes: Spread }> {
  const names = Object.keys(cases);
  for (let i = 0; i < warmup; i++) {
    names.forEach(n => cases[n]());
  }
  const samples: Record<string, { ms: number[]; heap: number[] }> = {};
  names.forEach(n => (samples[n] = { ms: [], heap: [] }));
  for (let i = 0; i < runs; i++) {
    for (const n of names) {
      const r = cases[n]();
      samples[n].ms.push(r.ms);
      samples[n].heap.push(r.heapBytes);
    }
  }
  const out: Record<string, { ms: Spread; heapBytes: Spread }> = {};
  for (const n of names) {
    out[n] = { ms: spread(samples[n].ms), heapBytes: spread(samples[n].heap) };
  }
  return out;
}
