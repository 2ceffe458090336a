import { FLOOR, OURS, PEERS, SCALED_CASES } from './cases';
import { instructionsMarkdown } from './instructions';
import { Economy, Spread, STACK_RESOURCE_LIMIT } from './measure';
import { BenchResults, caseKey, Mode } from './results';

const MODES: Mode[] = ['on', 'off'];

/** The short Markdown page the README links to. */
export function markdown(r: BenchResults): string {
  const s = r.settings;
  const lines: string[] = [
    '# Benchmarks',
    '',
    `\`${r.command}\` on ${r.date.slice(0, 10)}: Node ${r.machine.node}, aws-cdk-lib ${r.machine.awsCdkLib}, ${r.machine.cores} × ${r.machine.cpu} `
      + `(load average ${r.machine.loadAverage.start.toFixed(1)} at the start, ${r.machine.loadAverage.end.toFixed(1)} at the end); ${s.seconds ?? '?'} s in all`
      + ` (${Object.entries(s.phaseSeconds ?? {}).map(([k, v]) => `${k} ${v} s`).join(', ')}). Medians with (min–max), runs interleaved across cases: ${s.warmRuns} in one process (warm, after 2 warm-up rounds), `
      + `${s.coldRuns} as whole processes (cold: \`node\` on compiled JavaScript, spawn to exit), ${s.importRuns} handler imports. `
      + 'Ratios are to the hand-written L1 floor with the same number of images, measured in the same run. Full figures: [latest.json](latest.json).',
    '',
    'Every case builds one image: Amazon Linux 2023 parent + one shell step installing nginx.',
    '',
    ...economyTable(r),
    ...stackTable(r),
    ...speedTable(r),
    ...instructionsMarkdown(r.instructions, s.counts),
    ...growthTable(r),
    ...handlerTable(r),
    ...releaseSection(r),
    '## Where we lose',
    '',
    'Every figure in this run where a peer does better than us (generated from the figures above):',
    '',
    ...(r.losses.clear.length ? r.losses.clear.map(l => `- ${l}`) : ['- nowhere']),
    '',
    'Medians that favour a peer but whose min–max ranges overlap ours (within this machine\'s noise):',
    '',
    ...(r.losses.withinNoise.length ? r.losses.withinNoise.map(l => `- ${l}`) : ['- none']),
    '',
  ];
  return lines.join('\n');
}

function economyTable(r: BenchResults): string[] {
  const rows = [FLOOR, OURS, ...PEERS].map(c => {
    const [one, fifty] = [r.economy.images[c.id][1], r.economy.images[c.id][50]];
    const vpc = one.sharedVpc ? ` (+${one.sharedVpc.resources} VPC)` : '';
    return `| ${c.label} | ${one.resources}${vpc} | ${int(one.templateBytes)} | ${int(one.metadataBytes)} | ${one.lambdaFunctions} | ${one.customResources} `
      + `| ${per(fifty, 'resources')} | ${fifty.lambdaFunctions} | ${deploys(fifty)} | ${c.addsByDefault} |`;
  });
  return [
    '## Economy',
    '',
    '| one image | resources | template bytes | of which metadata | Lambda functions | custom resources | resources per image at 50 | Lambda functions at 50 | 50 in one stack deploy? | beyond the image, by default |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows,
    '',
    'Template bytes: minified JSON, without the shared VPC that some cases need (counted apart, in brackets). '
      + '"Deploy?" is what synthesis can tell: literal physical names used twice, and CloudFormation\'s resource limit.',
    '',
  ];
}

function stackTable(r: BenchResults): string[] {
  const row = (label: string, e: Economy) =>
    `| ${label} | ${e.count} | ${e.resources}${e.sharedVpc ? ` (+${e.sharedVpc.resources} VPC)` : ''} | ${per(e, 'resources')} | ${int(e.templateBytes)} `
    + `| ${e.lambdaFunctions} | ${e.overStackLimit ? `**over ${STACK_RESOURCE_LIMIT}**` : 'no'} |`;
  const deployments = r.economy.deployments;
  const [d1, d10, d50] = [1, 10, 50].map(n => deployments[n]);
  // Resources = fixed + n × marginal; the largest n under the limit.
  const marginal = (d50.totalResources - d10.totalResources) / 40;
  const fixed = d10.totalResources - 10 * marginal;
  const fit = Math.floor((STACK_RESOURCE_LIMIT - fixed) / marginal);
  return [
    '## Many in one stack (us)',
    '',
    '| stack | count | resources | per image | template bytes | Lambda functions | over CloudFormation\'s limit |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...[1, 10, 50].map(n => row('GoldenImage', r.economy.images[OURS.id][n])),
    ...[d1, d10, d50].map(e => row('GoldenImage + ImmutableDeployment, one VPC', e)),
    '',
    `Lambda functions per stack stay at ${d1.lambdaFunctions} (${[d1, d10, d50].map(e => e.lambdaFunctions).join(', ')}): one release-controller provider serves every deployment. `
      + `Each deployment adds ${marginal} resources, so one stack holds at most ${fit} deployments under CloudFormation's ${STACK_RESOURCE_LIMIT}-resource limit; `
      + 'the 50-deployment figures were synthesised with aws-cdk-lib\'s limit check off, to show the growth.',
    '',
  ];
}

function speedTable(r: BenchResults): string[] {
  const keys = [
    ...[FLOOR, OURS, ...PEERS].map(c => [c.label, caseKey(c.id, 1)]),
    ...[10, 50].flatMap(n => SCALED_CASES.map(c => [`${c.label} × ${n}`, caseKey(c.id, n)])),
  ];
  const out = ['## Synth time and memory', ''];
  for (const mode of MODES) {
    out.push(
      `Validation ${mode}${mode === 'on' ? ' (aws-cdk-lib\'s default)' : ' (`CDK_VALIDATION=false`)'}:`,
      '',
      '| case | one process | ratio | whole process | ratio | peak RSS | heap growth |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...keys.map(([label, key]) => {
        const w = r.synth.warm[mode][key];
        const c = r.synth.cold[mode][key];
        return `| ${label} | ${ms(w.ms)} | ${w.ratioToFloor.toFixed(2)}× | ${ms(c.wallMs)} | ${c.ratioToFloor.toFixed(2)}× | ${mib(c.maxRssBytes.median)} | ${mib(w.heapBytes.median)} |`;
      }),
      '',
    );
  }
  const v = r.validation;
  const warmOurs = r.synth.warm.on[caseKey(OURS.id, 1)];
  const coldOurs = r.synth.cold.on[caseKey(OURS.id, 1)];
  const calls = (c: Spread) => (c.min === c.max ? `${c.min}` : `${c.min}–${c.max}`);
  out.push(
    `\`new App()\` validates by default here: ${v.defaultOn ? 'yes' : 'NO'} (App property ${v.appProperty}, CDK_VALIDATION ${v.envVariable ?? 'unset'}). `
      + `A spy on aws-cdk-lib's validator counted ${calls(v.callsPerSynth.on)} call per synthesis in every run with validation on, ${calls(v.callsPerSynth.off)} with it off. `
      + `Its engine took ${warmOurs.validatorMs.median.toFixed(0)} ms of our ${warmOurs.ms.median.toFixed(0)} ms synthesis in one process, `
      + `and ${coldOurs.validatorMs.median.toFixed(0)} ms (loading it included) of our ${coldOurs.wallMs.median.toFixed(0)} ms whole process.`,
    'In one process, the validator\'s engine is built for the case\'s resource types before each timed run: aws-cdk-lib keeps one engine and '
      + 'rebuilds it (about 0.2 s warm) whenever a template brings types it was not built for, which running cases in turn would trigger at random. '
      + 'A whole process pays for loading and building it every time.',
    'Peak RSS: the whole process (`/usr/bin/time`). Heap growth: heap used after one warm synthesis minus before (after a GC).',
    '',
  );
  return out;
}

function growthTable(r: BenchResults): string[] {
  const measurements = Object.keys(r.growth);
  const cell = (measurement: string, id: string) => {
    const g = r.growth[measurement][id];
    return `${g.perImageMsAt10.toFixed(1)} → ${g.perImageMsAt50.toFixed(1)} ms (${g.ratio.toFixed(2)})`;
  };
  return [
    '## Growth from 10 to 50 images',
    '',
    'Cost of one more image between 1 and 10 images → between 10 and 50, and the ratio of the two (1 = linear, above 1 = faster than linear):',
    '',
    `| | ${measurements.join(' | ')} |`,
    `|---|${measurements.map(() => '---:').join('|')}|`,
    ...SCALED_CASES.map(c => `| ${c.label} | ${measurements.map(m => cell(m, c.id)).join(' | ')} |`),
    '',
  ];
}

function handlerTable(r: BenchResults): string[] {
  const h = r.handlers;
  return [
    '## Lambda handlers',
    '',
    `| handler | bundle bytes | \`node -e "require(bundle)"\` | over \`node -e ""\` (${ms(h.baselineMs)}) |`,
    '|---|---:|---:|---:|',
    ...Object.entries(h.handlers).map(([name, f]) => `| ${name} | ${int(f.bytes)} | ${ms(f.importMs)} | ${f.overBaselineMs.toFixed(0)} ms |`),
    '',
    ...(h.staleBundles ? ['Note: the bundles were older than the handler sources when measured; run `npx projen bundle` first for current figures.', ''] : []),
  ];
}

function releaseSection(r: BenchResults): string[] {
  const t = r.releaseTimeline as { error?: string; markdown?: string };
  return ['## Release timeline', '', t.markdown ?? `Not measured in this run: ${t.error ?? 'no figures'}.\n`];
}

function ms(s: Spread): string {
  const f = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  return `${f(s.median)} ms (${f(s.min)}–${f(s.max)})`;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function deploys(e: Economy): string {
  const why = [
    ...(e.duplicateNames ? [`${e.duplicateNames} resources share a physical name`] : []),
    ...(e.overStackLimit ? [`${e.totalResources} resources, over ${STACK_RESOURCE_LIMIT}`] : []),
  ];
  return why.length ? `**no**: ${why.join('; ')}` : 'yes';
}

function int(n: number): string {
  return n.toLocaleString('en-US');
}

function per(e: Economy, field: 'resources'): string {
  return (e[field] / e.count).toFixed(e[field] % e.count ? 2 : 0);
}

