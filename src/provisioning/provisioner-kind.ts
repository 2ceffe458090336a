import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { TOE_SCHEMA_VERSION, ToeDocument, ToePhaseName, ToeStep } from './toe/component-document';
import { OsFamily } from '../common/os-family';

/**
 * The internal contract between a Provisioner and the image that uses it.
 */

/** Where a provisioner is bound: the image, the phase, and the prop it was given in. */
export interface ProvisionerBindContext {
  /** The image the provisioner belongs to: assets are created in it and errors name its path. */
  readonly scope: Construct;
  /** The AWSTOE phase the provisioner's steps run in. */
  readonly phase: ToePhaseName;
  /** The parent image's OS family. */
  readonly osFamily: OsFamily;
  /** The prop and position, for messages, e.g. `provisioners[2]`. */
  readonly prop: string;
  /** The name to use when the user gave none, e.g. `shell-3`. */
  readonly defaultName: string;
  /** Where provisioners put files they stage on the build instance (the recipe's working directory). */
  readonly workingDirectory: string;
  /**
   * Where a script run as a file is downloaded: the working directory, unless the build may
   * restart and the recipe sets none (then a folder a restart keeps, `restartSafeDirectory`).
   */
  readonly scriptDirectory: string;
  /** Whoever must read the provisioner's assets at build time (the build instance role). */
  readonly assetReader: iam.IGrantable;
}

/**
 * Renders where an asset is: its S3 URL in the template, or a placeholder made of its
 * content hash when the document is hashed (tokens must never reach a hash).
 */
export type AssetLocator = (asset: s3assets.Asset) => string;

/** A provisioner bound to an image. */
export interface BoundProvisioner {
  /** The provisioner's name, unique in the image. */
  readonly name: string;
  /** The platform its component runs on. */
  readonly platform: OsFamily;
  /** Builds the component document; absent for components used by ARN. */
  readonly document?: (locate: AssetLocator) => ToeDocument;
  /** An existing component's ARN (AWS-managed, or given); no resource is created. */
  readonly componentArn?: string;
  /** With componentArn: what identifies the component at synth time, for the image key. */
  readonly componentIdentity?: string;
  /** Values for the component document's parameters, set in the recipe. */
  readonly parameters?: Record<string, string>;
  /**
   * True when the kind validated the document itself and reported its warnings (a document you
   * wrote, named by its file): the component then reports none again.
   */
  readonly warningsReported?: boolean;
}

/** One kind of provisioner (shell, file, ...). */
export interface ProvisionerKind {
  /** Short name of the kind, used for default names (`shell-1`). */
  readonly kindName: string;
  /** The user the kind gives a Vagrant login key to (vagrantGuest() only). */
  readonly vagrantGuestUser?: string;
  /** Validates the options against the image and produces the component. */
  bind(context: ProvisionerBindContext): BoundProvisioner;
}

/** The document of a kind whose steps all run in the phase it is bound to. */
export function singlePhase(context: ProvisionerBindContext, steps: ToeStep[]): ToeDocument {
  return { schemaVersion: TOE_SCHEMA_VERSION, phases: [{ name: context.phase, steps }] };
}
