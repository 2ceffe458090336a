import * as fs from 'fs';
import * as path from 'path';
import { usageError } from '../core/cli-error';

/**
 * The parts of a cloud assembly (`cdk.out`) that the commands read: each stack's template, the
 * construct path of each resource, and the file assets staged beside them. Nested assemblies
 * (CDK Stages) are read too. Only the documented manifest fields are used.
 */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface AssemblyStack {
  /** The stack's artifact id (its name in `cdk list`). */
  readonly id: string;
  /** The template file, for messages. */
  readonly templateFile: string;
  readonly resources: Readonly<Record<string, CfnResource>>;
  /** Template parameters and their defaults. */
  readonly parameters: Readonly<Record<string, { Default?: unknown }>>;
  /** Construct path (`/Stack/Image/Recipe`) of each logical id that has one. */
  readonly paths: ReadonlyMap<string, string>;
}

/** A file asset as staged in the assembly, by the S3 location a template refers to it with. */
export interface StagedAsset {
  /** File or folder in the assembly. */
  readonly source: string;
  /** `zip`: a folder, uploaded as a zip of its contents; `file`: uploaded as it is. */
  readonly packaging: 'zip' | 'file';
}

export interface CloudAssembly {
  readonly directory: string;
  readonly stacks: readonly AssemblyStack[];
  /** `s3://<bucket>/<key>` (bucket and key as the asset manifest has them) to the staged asset. */
  readonly assets: ReadonlyMap<string, StagedAsset>;
}

interface ManifestArtifact {
  readonly type: string;
  readonly properties?: Record<string, unknown>;
  readonly metadata?: Record<string, Array<{ type: string; data?: unknown }>>;
  readonly additionalMetadataFile?: string;
}

/** Reads the assembly in `directory`; a missing or unreadable one is bad input naming the file and the fix. */
export function readCloudAssembly(directory: string, flag = '--app', shown = directory): CloudAssembly {
  const manifestFile = path.join(directory, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    const why = fs.existsSync(directory) ? `${path.join(shown, 'manifest.json')} does not exist` : `${shown} does not exist`;
    throw usageError(`${flag} ${shown}: not a cloud assembly (${why}). Run 'npx cdk synth' first, or pass the folder it writes to (cdk.out)`);
  }
  const stacks: AssemblyStack[] = [];
  const assets = new Map<string, StagedAsset>();
  readAssembly(directory, stacks, assets);
  return { directory, stacks, assets };
}

/**
 * Reads a cloud assembly, or a folder of CloudFormation templates (`<stack>.template.json`, as
 * `cdk synth` writes or a pipeline keeps them) when the folder has no manifest: its stacks are
 * named after the files, and it stages no assets. `directory` is relative to `cwd`.
 */
export function readTemplatesOrAssembly(directory: string, cwd: string, flag: string): CloudAssembly {
  const resolvedDirectory = path.resolve(cwd, directory);
  if (fs.existsSync(path.join(resolvedDirectory, 'manifest.json')) || !fs.existsSync(resolvedDirectory)) {
    return readCloudAssembly(resolvedDirectory, flag, directory);
  }
  const files = fs.readdirSync(resolvedDirectory).filter(f => f.endsWith('.template.json')).sort();
  if (files.length === 0) {
    throw usageError(`${flag} ${directory}: neither a cloud assembly (no manifest.json) nor a folder of *.template.json files. `
      + 'Pass the folder \'npx cdk synth\' writes (cdk.out)');
  }
  const stacks = files.map(file => readStack(resolvedDirectory, file.replace(/\.template\.json$/, ''), { type: 'aws:cloudformation:stack' }, file));
  return { directory: resolvedDirectory, stacks, assets: new Map() };
}

function readAssembly(directory: string, stacks: AssemblyStack[], assets: Map<string, StagedAsset>): void {
  const manifest = readJson(path.join(directory, 'manifest.json')) as { artifacts?: Record<string, ManifestArtifact> };
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    const properties = artifact.properties ?? {};
    if (artifact.type === 'aws:cloudformation:stack' && typeof properties.templateFile === 'string') {
      stacks.push(readStack(directory, id, artifact, properties.templateFile));
    } else if (artifact.type === 'cdk:asset-manifest' && typeof properties.file === 'string') {
      readAssetManifest(directory, path.join(directory, properties.file), assets);
    } else if (artifact.type === 'cdk:cloud-assembly' && typeof properties.directoryName === 'string') {
      readAssembly(path.join(directory, properties.directoryName), stacks, assets);
    }
  }
}

function readStack(directory: string, id: string, artifact: ManifestArtifact, templateFile: string): AssemblyStack {
  const file = path.join(directory, templateFile);
  const template = readJson(file) as { Resources?: Record<string, CfnResource>; Parameters?: Record<string, { Default?: unknown }> };
  const resources = template.Resources ?? {};
  const paths = new Map<string, string>();
  const metadata = { ...artifact.metadata };
  if (artifact.additionalMetadataFile) {
    const extra = path.join(directory, artifact.additionalMetadataFile);
    if (fs.existsSync(extra)) {
      Object.assign(metadata, readJson(extra));
    }
  }
  for (const [constructPath, entries] of Object.entries(metadata)) {
    for (const entry of Array.isArray(entries) ? entries : []) {
      if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') {
        paths.set(entry.data, constructPath);
      }
    }
  }
  // Templates synthesised by the CDK CLI also carry the path on each resource.
  for (const [logicalId, resource] of Object.entries(resources)) {
    const cdkPath = resource.Metadata?.['aws:cdk:path'];
    if (typeof cdkPath === 'string' && !paths.has(logicalId)) {
      paths.set(logicalId, `/${cdkPath}`);
    }
  }
  return { id, templateFile: file, resources, parameters: template.Parameters ?? {}, paths };
}

interface AssetManifestFile {
  readonly files?: Record<string, {
    readonly source?: { readonly path?: string; readonly packaging?: string; readonly executable?: unknown };
    readonly destinations?: Record<string, { readonly bucketName?: string; readonly objectKey?: string }>;
  }>;
}

function readAssetManifest(directory: string, file: string, assets: Map<string, StagedAsset>): void {
  const manifest = readJson(file) as AssetManifestFile;
  for (const asset of Object.values(manifest.files ?? {})) {
    const source = asset.source;
    // Assets made by a command at publish time are not staged: nothing here to serve.
    if (!source?.path || source.executable !== undefined) {
      continue;
    }
    const staged: StagedAsset = {
      source: path.join(directory, source.path),
      packaging: source.packaging === 'zip' ? 'zip' : 'file',
    };
    for (const destination of Object.values(asset.destinations ?? {})) {
      if (destination.bucketName && destination.objectKey) {
        assets.set(`s3://${destination.bucketName}/${destination.objectKey}`, staged);
      }
    }
  }
}

function readJson(file: string): unknown {
  const text = fs.readFileSync(file, 'utf-8');
  try {
    return JSON.parse(text);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const offset = Number(/position (\d+)/.exec(reason)?.[1]);
    const line = Number.isFinite(offset) ? text.slice(0, offset).split('\n').length : undefined;
    throw usageError(`${file}${line ? `:${line}` : ''} is not valid JSON (${reason}): synthesise the app again ('npx cdk synth')`);
  }
}
