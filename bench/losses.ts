import { ALPHA, OURS, PEERS } from './cases';
import { Economy, Spread } from './measure';
import { BenchResults, caseKey, Losses, Mode } from './results';

const MODES: Mode[] = ['on', 'off'];

/**
 * Every figure on which a peer does better than us, in words, so the table says where we lose
 * whatever the run measured. (The floor is faster by construction; its ratios say by how much.)
 */
export function findLosses(r: BenchResults): Losses {
  const losses: Losses = { clear: [], withinNoise: [] };
  const rivals = PEERS;
  const ours1 = r.economy.images[OURS.id][1];
  const ours50 = r.economy.images[OURS.id][50];
  const count = (what: string, get: (e: Economy) => number, at: number) => {
    for (const rival of rivals) {
      const theirs = get(r.economy.images[rival.id][at]);
      const ours = get(at === 1 ? ours1 : ours50);
      if (theirs < ours) {
        losses.clear.push(`${what}${at === 1 ? '' : ` (${at} images)`}: ${rival.label} ${fmt(theirs)} vs ours ${fmt(ours)}`);
      }
    }
  };
  count('resources', e => e.resources, 1);
  count('template bytes', e => e.templateBytes, 1);
  count('Lambda functions', e => e.lambdaFunctions, 1);
  count('resources', e => e.resources, 50);
  count('template bytes', e => e.templateBytes, 50);
  count('Lambda functions', e => e.lambdaFunctions, 50);

  const timed = (what: string, ours: Spread, theirs: Spread, label: string, unit: (v: number) => string) => {
    if (theirs.median < ours.median) {
      const line = `${what}: ${label} ${unit(theirs.median)} (${unit(theirs.min)}–${unit(theirs.max)}) vs ours ${unit(ours.median)} (${unit(ours.min)}–${unit(ours.max)})`;
      (theirs.max >= ours.min ? losses.withinNoise : losses.clear).push(line);
    }
  };
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const mib = (v: number) => `${(v / 2 ** 20).toFixed(1)} MiB`;
  for (const mode of MODES) {
    const warmOurs = r.synth.warm[mode][caseKey(OURS.id, 1)];
    const coldOurs = r.synth.cold[mode][caseKey(OURS.id, 1)];
    for (const rival of rivals) {
      const warm = r.synth.warm[mode][caseKey(rival.id, 1)];
      const cold = r.synth.cold[mode][caseKey(rival.id, 1)];
      timed(`synth in one process, validation ${mode}`, warmOurs.ms, warm.ms, rival.label, ms);
      timed(`synth as a whole process, validation ${mode}`, coldOurs.wallMs, cold.wallMs, rival.label, ms);
      timed(`peak RSS of the whole process, validation ${mode}`, coldOurs.maxRssBytes, cold.maxRssBytes, rival.label, mib);
      timed(`heap growth per synthesis, validation ${mode}`, warmOurs.heapBytes, warm.heapBytes, rival.label, mib);
    }
  }
  // The alpha is timed at every count: a loss at 10 or 50 images is a loss too.
  for (const n of r.settings.counts.filter(c => c !== 1)) {
    for (const mode of MODES) {
      const [ours, theirs] = [OURS, ALPHA].map(c => r.synth.cold[mode][caseKey(c.id, n)].wallMs);
      timed(`synth as a whole process, validation ${mode}, ${n} images`, ours, theirs, ALPHA.label, ms);
    }
  }
  const instructions = r.instructions;
  if ('counts' in instructions) {
    const millions = (v: number) => `${fmt(v)} million`;
    for (const n of r.settings.counts) {
      const images = `${n} image${n === 1 ? '' : 's'}`;
      // All threads repeat to within 0.1%: more than that over the alpha's count is a clear loss.
      const [ours, theirs] = [OURS, ALPHA].map(c => instructions.counts[caseKey(c.id, n)]);
      if (ours.millions > theirs.millions) {
        const line = `instructions per synthesis (all threads), ${images}: ${ALPHA.label} ${millions(theirs.millions)} vs ours ${millions(ours.millions)} (${ours.ratioToAlpha.toFixed(3)}×)`;
        (ours.millions > theirs.millions * 1.001 ? losses.clear : losses.withinNoise).push(line);
      }
      // Main-thread counts spread by up to 6%: medians with ranges, judged as timings are.
      const [oursMain, theirsMain] = [OURS, ALPHA].map(c => instructions.mainThread[caseKey(c.id, n)].spread);
      timed(`instructions per synthesis (main thread), ${images}`, oursMain, theirsMain, ALPHA.label, millions);
    }
  }
  return losses;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(1);
}
