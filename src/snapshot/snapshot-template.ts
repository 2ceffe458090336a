import { Stack } from 'aws-cdk-lib';
import { findAssets, replaceHashes } from './asset-labels';
import { deriveValues, DerivedValues, synthesisedTemplate, TemplateResource } from './derived-values';
import { withoutKeyedSuffixes } from './keyed-ids';

/** Options for `SnapshotTemplate.of()`. */
export interface SnapshotTemplateOptions {
  /**
   * Replace every component and recipe version with `VERSION`, every image key with
   * `imagekey-<n>` and every generation key with `gen<n>` (numbered in the app's construct
   * order), so that the snapshot no longer says when a deploy will re-bake or roll out.
   *
   * @default false - versions and keys stay: a change of one is the signal that a deploy
   * re-bakes an image or rolls out a new generation. Where one of the user's assets feeds a
   * version or key, the snapshot shows a stand-in computed from the template with the asset
   * masked (versions as `~1.0.N`), so that an asset's content alone does not change it.
   */
  readonly maskVersions?: boolean;

  /**
   * Remove the cdk-nag acknowledgements (`cdk_nag` resource metadata) the library and the app
   * record.
   *
   * @default false
   */
  readonly removeNagMetadata?: boolean;

  /**
   * Remove the `aws:cdk:path` resource metadata (written when the app runs with path metadata on,
   * as the CDK CLI does).
   *
   * @default false
   */
  readonly removeConstructPaths?: boolean;

  /**
   * Remove the `BootstrapVersion` parameter and the `CheckBootstrapVersion` rule that the default
   * stack synthesizer adds to every stack.
   *
   * @default false
   */
  readonly removeBootstrapVersion?: boolean;
}

/** The labels user assets get: numbered by first appearance in the template. */
const USER_ASSET_LABEL = 'ASSET_';

/**
 * A stack's template for snapshot tests (`expect(SnapshotTemplate.of(stack)).toMatchSnapshot()`)
 * that changes only when what the stack deploys changes in a way its template shows.
 *
 * - The user's assets get labels numbered by first appearance (`ASSET_1`, ...), wherever the
 *   hash appears (S3 keys, ARNs, temporary file names): an asset added, dropped or shared stays
 *   visible, a new content hash does not.
 * - Assets a library ships (this library's release controller bundles, aws-cdk-lib's own
 *   handlers) get fixed names (`cdk-immutable-infra:release-controller/is-complete`), so upgrading
 *   a library does not change the snapshot.
 * - Component and recipe versions, image keys and generation keys stay: they say that a deploy
 *   re-bakes or rolls out. Where an asset's content feeds one, it is shown as a stand-in computed
 *   without that content (see `maskVersions`).
 */
export class SnapshotTemplate {
  /**
   * The template of `stack` as a plain object, stable for snapshot tests. Synthesises the
   * stack's App (once; later calls reuse the assembly).
   */
  public static of(stack: Stack, options: SnapshotTemplateOptions = {}): { [key: string]: any } {
    const assets = findAssets(stack);
    const userHashes = assets.filter(a => a.fixedName === undefined).map(a => a.hash);
    const fixedNames = new Map(assets.filter(a => a.fixedName !== undefined).map(a => [a.hash, a.fixedName!]));
    const derived = deriveValues(stack, userHashes);

    const labels = new Map<string, string>();
    let text = replaceHashes(JSON.stringify(synthesisedTemplate(stack)), assets.map(a => a.hash), hash => {
      if (!labels.has(hash)) {
        labels.set(hash, fixedNames.get(hash) ?? `${USER_ASSET_LABEL}${[...labels.keys()].filter(h => !fixedNames.has(h)).length + 1}`);
      }
      return labels.get(hash)!;
    });
    for (const [key, shown] of keyReplacements(derived, options)) {
      text = withoutKeyedSuffixes(text, key, shown);
    }
    const template = JSON.parse(text);
    replaceVersions(template.Resources ?? {}, derived, options);
    removeNoise(template, options);
    return template;
  }

  private constructor() {}
}

/** Image and generation keys to what the snapshot shows instead, longest first. */
function keyReplacements(derived: DerivedValues, options: SnapshotTemplateOptions): Array<[string, string]> {
  const replacements: Array<[string, string]> = options.maskVersions
    ? [
      ...unique(derived.imageKeys).map((key, i): [string, string] => [key, `imagekey-${i + 1}`]),
      ...unique(derived.generationKeys).map((key, i): [string, string] => [key, `gen${i + 1}`]),
    ]
    : [...derived.keyStandIns];
  return replacements.sort((a, b) => b[0].length - a[0].length);
}

const VERSIONED_TYPES = new Set(['AWS::ImageBuilder::Component', 'AWS::ImageBuilder::ImageRecipe']);

function replaceVersions(resources: Record<string, TemplateResource>, derived: DerivedValues, options: SnapshotTemplateOptions): void {
  for (const resource of Object.values(resources)) {
    const version = resource.Properties?.Version;
    if (!VERSIONED_TYPES.has(resource.Type) || typeof version !== 'string' || !derived.versions.has(version)) {
      continue;
    }
    resource.Properties!.Version = options.maskVersions ? 'VERSION' : derived.versionStandIns.get(version) ?? version;
  }
}

function removeNoise(template: { [key: string]: any }, options: SnapshotTemplateOptions): void {
  for (const resource of Object.values<TemplateResource>(template.Resources ?? {})) {
    if (options.removeNagMetadata) {
      delete resource.Metadata?.cdk_nag;
    }
    if (options.removeConstructPaths) {
      delete resource.Metadata?.['aws:cdk:path'];
    }
    if (resource.Metadata && Object.keys(resource.Metadata).length === 0) {
      delete resource.Metadata;
    }
  }
  if (options.removeBootstrapVersion) {
    removeEntry(template, 'Parameters', 'BootstrapVersion');
    removeEntry(template, 'Rules', 'CheckBootstrapVersion');
  }
}

function removeEntry(template: { [key: string]: any }, section: string, name: string): void {
  if (template[section]) {
    delete template[section][name];
    if (Object.keys(template[section]).length === 0) {
      delete template[section];
    }
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
