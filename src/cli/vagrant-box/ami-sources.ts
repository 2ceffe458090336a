import * as fs from 'fs';
import * as path from 'path';
import { loadAwsClients } from './load-aws-clients';
import { usageError } from '../core/cli-error';

const AMI_ID = /^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/** Region to AMI id, from `--ami region=ami-...` (repeatable). */
export function amisFromFlags(values: readonly string[]): Map<string, string> {
  const amis = new Map<string, string>();
  for (const value of values) {
    const [region, ami] = value.split('=', 2);
    checkRegion('--ami', region, value);
    checkAmi(`--ami ${value}`, ami);
    amis.set(region, ami);
  }
  return amis;
}

/**
 * Region to AMI id from `cdk deploy --outputs-file` (`{ stack: { outputKey: value } }`): each
 * stack's region is its environment in the cloud assembly's manifest (`aws://account/region`).
 * The output is `outputKey` where given, else the stack's one output whose value is an AMI id.
 */
export function amisFromOutputsFile(outputsFile: string, assembly: string, outputKey: string | undefined): Map<string, string> {
  const outputs = readJson('--outputs-file', outputsFile) as Record<string, Record<string, unknown>>;
  const manifestFile = path.join(assembly, 'manifest.json');
  const manifest = readJson('--app', manifestFile) as { artifacts?: Record<string, { type?: string; environment?: string }> };
  const amis = new Map<string, string>();
  for (const [stack, values] of Object.entries(outputs)) {
    const candidates = Object.entries(values ?? {}).filter(([key, value]) => (outputKey ? key === outputKey : typeof value === 'string' && AMI_ID.test(value)));
    if (candidates.length === 0) {
      continue;
    }
    if (candidates.length > 1) {
      throw usageError(`--outputs-file ${outputsFile}: stack ${stack} has ${candidates.length} AMI outputs (${candidates.map(([k]) => k).join(', ')}): name one with --output-key`);
    }
    const [key, ami] = candidates[0];
    checkAmi(`--outputs-file ${outputsFile}: ${stack}.${key}`, String(ami));
    const environment = Object.entries(manifest.artifacts ?? {}).find(([id, a]) => a.type === 'aws:cloudformation:stack' && id === stack)?.[1].environment;
    const region = environment?.split('/')[3];
    if (!region || !REGION.test(region)) {
      throw usageError(`--app ${manifestFile}: stack ${stack} has no region (environment ${environment ?? 'missing'}): give the stack an env with a region, or use --ami region=${ami}`);
    }
    amis.set(region, String(ami));
  }
  if (amis.size === 0) {
    throw usageError(`--outputs-file ${outputsFile}: no stack has ${outputKey ? `an output ${outputKey}` : 'an output whose value is an AMI id'}: check the file is from \`cdk deploy --outputs-file\`, or name the output with --output-key`);
  }
  return amis;
}

/** Region names from `--regions a,b`. */
export function parseRegions(value: string | undefined, flagNeeding: string): string[] {
  if (!value) {
    throw usageError(`${flagNeeding} needs --regions: the regions to read it in, e.g. --regions eu-west-1,us-east-1`);
  }
  const regions = value.split(',').map(r => r.trim()).filter(Boolean);
  for (const region of regions) {
    checkRegion('--regions', region, value);
  }
  return regions;
}

/**
 * Region to AMI id from an SSM parameter of a deployed app (the image pipeline's AMI parameter),
 * read with GetParameter in each region. A region without the parameter is an error: the box
 * would have no AMI for it.
 */
export async function amisFromSsm(parameter: string, regions: readonly string[], env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const { SSMClient, GetParameterCommand, ParameterNotFound } = loadAwsClients();
  const amis = new Map<string, string>();
  for (const region of regions) {
    const client = new SSMClient({ region, endpoint: env.AWS_ENDPOINT_URL_SSM ?? env.AWS_ENDPOINT_URL, maxAttempts: 3 });
    try {
      const result = await client.send(new GetParameterCommand({ Name: parameter }));
      checkAmi(`--from-ssm ${parameter} in ${region}`, result.Parameter?.Value ?? '');
      amis.set(region, result.Parameter!.Value!);
    } catch (e) {
      if (e instanceof ParameterNotFound) {
        throw usageError(`--from-ssm ${parameter}: no such parameter in ${region}: deploy the image's pipeline there, or drop ${region} from --regions`);
      }
      if (e instanceof Error && e.name !== 'CliError') {
        throw usageError(`--from-ssm ${parameter} in ${region}: ${e.name}: ${e.message}`);
      }
      throw e;
    } finally {
      client.destroy();
    }
  }
  return amis;
}

/** Every region the box is for has an AMI. */
export function checkEveryRegion(amis: ReadonlyMap<string, string>, regions: readonly string[] | undefined): void {
  for (const region of regions ?? []) {
    if (!amis.has(region)) {
      throw usageError(`--regions ${region}: no AMI for this region (have ${[...amis.keys()].join(', ') || 'none'}): add --ami ${region}=ami-... or deploy the image there`);
    }
  }
}

function checkRegion(flag: string, region: string, value: string): void {
  if (!REGION.test(region ?? '')) {
    throw usageError(`${flag} ${value}: "${region}" is not a region name: write region=ami-id, e.g. eu-west-1=ami-0123456789abcdef0`);
  }
}

function checkAmi(where: string, ami: string | undefined): void {
  if (!AMI_ID.test(ami ?? '')) {
    throw usageError(`${where}: "${ami ?? ''}" is not an AMI id (ami- and 8 or 17 hex digits)`);
  }
}

function readJson(flag: string, file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf-8');
  } catch (e) {
    throw usageError(`${flag} ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw usageError(`${flag} ${file}: not JSON (${(e as Error).message})`);
  }
}
