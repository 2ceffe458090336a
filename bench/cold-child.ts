/**
 * One whole-process synthesis, spawned by bench/cold.ts: `node cold-child.js <case> <count>`.
 * Loads only the case's own library, synthesises one app into a fresh directory, and prints one
 * line of JSON. Whether aws-cdk-lib validates is up to CDK_VALIDATION in the environment.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { caseById } from './cases';
import { spyOnValidator, validatorUse } from './validator-spy';

const [caseId, countText] = process.argv.slice(2);
const count = Number(countText);
const build = caseById(caseId).load();
spyOnValidator();
// performance.now() counts from the start of the process: Node's own start-up and every module load.
const loadMs = performance.now();

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cold-'));
const app = new App({ outdir });
const stack = new Stack(app, 'Bench', { env: { account: '123456789012', region: 'eu-west-1' } });
for (let i = 0; i < count; i++) {
  build(stack, i);
}
app.synth();
const synthMs = performance.now() - loadMs;
fs.rmSync(outdir, { recursive: true, force: true });

const validator = validatorUse();
// maxRSS is in kilobytes; the parent prefers /usr/bin/time's figure when it has one.
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ loadMs, synthMs, validatorCalls: validator.calls, validatorMs: validator.ms, maxRssBytes }) + '\n');
