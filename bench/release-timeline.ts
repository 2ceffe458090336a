import * as fs from 'fs';
import * as path from 'path';
import { ReleaseWorld, generationOf, trafficShares, type FakeGeneration, type GenerationSpec, type ReleaseSettings } from '../test/handlers/fake-aws';

/**
 * The release controller on the simulated timeline of the test fake (its real code, AWS
 * faked): for each traffic strategy, how long the new generation waits between "healthy"
 * and "100 % of traffic" against the floor its own steps and intervals set, how long an
 * alarm takes to put all traffic back on the old generation, and how many AWS calls a
 * release makes. Simulated time, so the figures are exact and the same on every machine;
 * they measure the controller's scheduling (one poll every 10 s), not AWS latency.
 *
 * `npx ts-node -P tsconfig.dev.json --transpile-only bench/release-timeline.ts`, or import
 * releaseTimeline() (bench/run.ts).
 */

/** The provider framework's query interval (src/deployment/release-controller.ts). */
const QUERY_INTERVAL_SECONDS = 10;
/** Alarm offsets after a step (seconds): spread over one query interval. */
const ALARM_OFFSETS = [1, 3, 5, 7, 9];
/**
 * Launch times (seconds to InService), one release each: they shift the load balancer's
 * health checks against the controller's polls, as on a real load balancer, where the two
 * clocks are not aligned.
 */
const LAUNCH_SECONDS = [40, 41, 42, 43, 44, 45, 46, 47, 48, 49];
const INSTANCES = 3;

/** The deployment's default health check (10 s, 2 passes), instances that boot in 20 s. */
const GENERATION: Omit<GenerationSpec, 'key'> = {
  minSize: INSTANCES,
  maxSize: 6,
  healthCheck: { intervalSeconds: 10, healthyThreshold: 2, unhealthyThreshold: 2 },
  instances: { launchSeconds: 40, bootSeconds: 20 },
  deregistrationDelaySeconds: 60,
};

interface Strategy {
  readonly name: string;
  readonly settings: ReleaseSettings;
  /** Seconds from the first step to the 100 % step that the strategy itself demands. */
  readonly floorSeconds: number;
}

const COMMON: ReleaseSettings = { bakeSeconds: 0, drainSeconds: 60, alarmNames: ['Web-5xx'], minCapacity: 1, maxCapacity: 6 };

const STRATEGIES: readonly Strategy[] = [
  { name: 'allAtOnce', settings: { ...COMMON, strategy: 'ALL_AT_ONCE' }, floorSeconds: 0 },
  { name: 'canary 10 %/5 min', settings: { ...COMMON, strategy: 'CANARY', stepPercent: 10, stepIntervalSeconds: 300 }, floorSeconds: 300 },
  // 20, 40, 60, 80, 100: four intervals between the first step and the last.
  { name: 'linear 20 %/2 min', settings: { ...COMMON, strategy: 'LINEAR', stepPercent: 20, stepIntervalSeconds: 120 }, floorSeconds: 4 * 120 },
];

export interface StrategyTimeline {
  readonly strategy: string;
  /** What the strategy's own steps and intervals demand from the first step to 100 %. */
  readonly floorSeconds: number;
  /** From the moment the load balancer first sees every new target healthy to the 100 % write, over LAUNCH_SECONDS. */
  readonly healthyToFullSeconds: Figures;
  /** healthyToFullSeconds minus the floor: the controller's own delay. */
  readonly overheadSeconds: Figures;
  /** The whole Update request, onEvent to SUCCESS (includes launch, warm-up and drain). */
  readonly releaseSeconds: Figures;
  /** From an alarm going off to the rule forwarding only to the old generation, over ALARM_OFFSETS. */
  readonly alarmToRollbackSeconds: Figures;
  /** AWS calls of one successful release (the first of LAUNCH_SECONDS; onEvent makes none). */
  readonly apiCalls: { readonly total: number; readonly polls: number; readonly byApi: Record<string, number> };
}

/** A figure over several runs. */
export interface Figures {
  readonly samples: number[];
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

function figures(samples: number[]): Figures {
  return { samples, mean: samples.reduce((sum, x) => sum + x, 0) / samples.length, min: Math.min(...samples), max: Math.max(...samples) };
}

export interface ReleaseTimeline {
  readonly date: string;
  readonly queryIntervalSeconds: number;
  readonly instances: number;
  readonly healthCheck: { readonly intervalSeconds: number; readonly healthyThreshold: number };
  readonly strategies: StrategyTimeline[];
}

/** Runs every strategy on the simulated timeline; nothing is written. */
export async function releaseTimeline(): Promise<ReleaseTimeline> {
  const strategies: StrategyTimeline[] = [];
  for (const strategy of STRATEGIES) {
    strategies.push(await measure(strategy));
  }
  return {
    date: new Date().toISOString(),
    queryIntervalSeconds: QUERY_INTERVAL_SECONDS,
    instances: INSTANCES,
    healthCheck: { intervalSeconds: GENERATION.healthCheck!.intervalSeconds!, healthyThreshold: GENERATION.healthCheck!.healthyThreshold! },
    strategies,
  };
}

async function measure(strategy: Strategy): Promise<StrategyTimeline> {
  const releases = [];
  for (const launchSeconds of LAUNCH_SECONDS) {
    releases.push(await cleanRelease(strategy, launchSeconds));
  }
  const alarms: number[] = [];
  for (const offset of ALARM_OFFSETS) {
    alarms.push(await alarmToRollback(strategy, offset));
  }
  const healthyToFull = releases.map((r) => (r.fullAt - r.healthyAt) / 1000);
  return {
    strategy: strategy.name,
    floorSeconds: strategy.floorSeconds,
    healthyToFullSeconds: figures(healthyToFull),
    overheadSeconds: figures(healthyToFull.map((x) => x - strategy.floorSeconds)),
    releaseSeconds: figures(releases.map((r) => r.seconds)),
    alarmToRollbackSeconds: figures(alarms),
    apiCalls: releases[0].calls,
  };
}

/** A world with generation a live and b created, as CloudFormation leaves it before the release update. */
async function world(launchSeconds = LAUNCH_SECONDS[0]): Promise<{ world: ReleaseWorld; a: FakeGeneration; b: FakeGeneration }> {
  const w = new ReleaseWorld();
  w.fake.cloudWatch.putAlarm('Web-5xx');
  const a = w.generation('a', GENERATION);
  const created = await w.create(a, { ...COMMON, desiredCapacity: INSTANCES });
  if (created.status !== 'SUCCESS') {
    throw new Error(`the first release failed: ${created.reason}`);
  }
  return { world: w, a, b: w.generation('b', { ...GENERATION, instances: { ...GENERATION.instances, launchSeconds } }) };
}

/** When b's share first reached `percent` through a rule write (exact simulated time). */
function firstWrite(w: ReleaseWorld, from: number, test: (shares: Map<string, number>) => boolean): number | undefined {
  return w.fake.elbv2.ruleChanges.slice(from).find((c) => c.by === 'api' && c.actions && test(byGeneration(trafficShares(c.actions))))?.at;
}

function byGeneration(shares: Map<string, number>): Map<string, number> {
  return new Map([...shares].map(([arn, share]) => [generationOf(arn), share]));
}

async function cleanRelease(strategy: Strategy, launchSeconds: number) {
  const { world: w, b } = await world(launchSeconds);
  let healthyAt: number | undefined;
  // Health moves with time alone: look at it every simulated second.
  w.fake.watch(1, (now) => {
    if (healthyAt === undefined && w.fake.elbv2.healthyCount(b.targetGroupArn) >= INSTANCES) {
      healthyAt = now;
    }
  });
  const from = w.fake.elbv2.ruleChanges.length;
  const result = await w.update(b, strategy.settings);
  w.dispose();
  if (result.status !== 'SUCCESS' || healthyAt === undefined) {
    throw new Error(`${strategy.name}: the release ended ${result.status} (${result.reason ?? ''})`);
  }
  const fullAt = firstWrite(w, from, (s) => s.get('b') === 100);
  const byApi: Record<string, number> = {};
  for (const call of result.calls) {
    byApi[call.operation] = (byApi[call.operation] ?? 0) + 1;
  }
  return {
    healthyAt,
    fullAt: fullAt!,
    seconds: result.elapsedSeconds,
    calls: { total: result.calls.length, polls: result.ticks.length, byApi: Object.fromEntries(Object.entries(byApi).sort()) },
  };
}

/** The alarm goes off `offset` seconds after the first step that gave b traffic. */
async function alarmToRollback(strategy: Strategy, offset: number): Promise<number> {
  const { world: w } = await world();
  const b = w.generation('b2', GENERATION);
  const from = w.fake.elbv2.ruleChanges.length;
  let alarmAt: number | undefined;
  const result = await w.update(b, strategy.settings, {
    afterTick: () => {
      if (alarmAt === undefined && firstWrite(w, from, (s) => (s.get('b2') ?? 0) > 0) !== undefined) {
        alarmAt = w.fake.clock.now() + offset * 1000;
        w.fake.at(alarmAt, 'alarm', () => w.fake.cloudWatch.setAlarmState('Web-5xx', 'ALARM'));
      }
    },
  });
  w.dispose();
  const restoredAt = firstWrite(w, from, (s) => s.size === 1 && s.get('a') === 100);
  if (result.status !== 'FAILED' || alarmAt === undefined || restoredAt === undefined) {
    throw new Error(`${strategy.name}: no rollback after the alarm (${result.status}, ${result.reason ?? ''})`);
  }
  return (restoredAt - alarmAt) / 1000;
}

/** The figures as Markdown tables. */
export function timelineMarkdown(timeline: ReleaseTimeline): string {
  const s = (x: number) => `${Math.round(x * 10) / 10} s`;
  const f = (x: Figures) => (x.min === x.max ? s(x.mean) : `${s(x.mean)} (${s(x.min)}–${s(x.max)})`);
  const lines = [
    `Release controller on the simulated timeline: ${timeline.instances} instances, health check every ${timeline.healthCheck.intervalSeconds} s`
      + ` (${timeline.healthCheck.healthyThreshold} passes), one poll every ${timeline.queryIntervalSeconds} s, bake 0, drain 60 s.`
      + ` Mean (min–max) over ${LAUNCH_SECONDS.length} launch timings and ${ALARM_OFFSETS.length} alarm timings.`,
    '',
    '| Strategy | Floor (its steps) | Healthy → 100 % | Controller overhead | Alarm → old generation at 100 % | Whole release | AWS calls (polls) |',
    '|---|---|---|---|---|---|---|',
    ...timeline.strategies.map((t) => `| ${t.strategy} | ${s(t.floorSeconds)} | ${f(t.healthyToFullSeconds)} | ${f(t.overheadSeconds)} | `
      + `${f(t.alarmToRollbackSeconds)} | ${f(t.releaseSeconds)} | ${t.apiCalls.total} (${t.apiCalls.polls}) |`),
    '',
  ];
  const apis = [...new Set(timeline.strategies.flatMap((t) => Object.keys(t.apiCalls.byApi)))].sort();
  lines.push(`| AWS calls per release | ${timeline.strategies.map((t) => t.strategy).join(' | ')} |`, `|---|${timeline.strategies.map(() => '---').join('|')}|`);
  for (const api of apis) {
    lines.push(`| ${api} | ${timeline.strategies.map((t) => t.apiCalls.byApi[api] ?? 0).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

if (require.main === module) {
  void releaseTimeline().then((timeline) => {
    const out = path.join(__dirname, 'results');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'release-timeline.json'), `${JSON.stringify(timeline, null, 2)}\n`);
    process.stdout.write(timelineMarkdown(timeline));
  });
}
