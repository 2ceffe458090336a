import { ToeDocument } from '../../provisioning/toe/component-document';
import { StagedAsset } from '../assembly/cloud-assembly';

/**
 * What a bake runs, as read from the cloud assembly: the image's components in recipe order with
 * their parsed AWSTOE documents, and what the recipe says about the build instance. The host
 * makes it; the sandbox receives it as JSON and runs it.
 */
export interface PlannedComponent {
  /** A short name for progress and reports (the provisioner's name for the library's components). */
  readonly label: string;
  /** The component's Image Builder name. */
  readonly name: string;
  /** Where it comes from: construct path, or the template and logical id. */
  readonly source: string;
  readonly document: ToeDocument;
  /** Values the recipe gives the document's parameters. */
  readonly parameters: Readonly<Record<string, string>>;
}

export interface BakePlan {
  /** The image's construct path. */
  readonly image: string;
  /** The recipe's `ParentImage`, pseudo parameters as `${AWS::...}`. */
  readonly parentImage: string;
  /** Where steps run (the recipe's working directory; Image Builder's default is /tmp). */
  readonly workingDirectory: string;
  readonly components: readonly PlannedComponent[];
  /** Components left out with `--skip`, and why they could not run otherwise. */
  readonly skipped: ReadonlyArray<{ readonly label: string; readonly reason: string }>;
  /** Whether the SSM agent Image Builder installs stays on the image (UninstallAfterBuild false). */
  readonly keepSsmAgent: boolean;
  /** Whether the image runs its test phase in the cloud (ImageTestsEnabled). */
  readonly testsEnabled: boolean;
  /** The app's staged file assets, by `s3://bucket/key`. */
  readonly assets: Readonly<Record<string, StagedAsset>>;
  /** What the plan could not take over exactly, said once in the report. */
  readonly notes: readonly string[];
}

/** Image Builder's working directory on Linux when the recipe gives none. */
export const DEFAULT_WORKING_DIRECTORY = '/tmp';
