import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, Token } from 'aws-cdk-lib';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { componentDescription } from './component-description';
import { AssetLocator, BoundProvisioner } from './provisioner-kind';
import { ToeDocument, ToePlatform } from './toe/component-document';
import { renderComponentDocument } from './toe/render';
import { DocumentFinding, validateComponentDocument } from './toe/validate';
import { BoundedMemo } from '../private/bounded-memo';
import { contentHash, versionFromHash } from '../private/hash';

/** CloudFormation's limit for a component's inline `Data`. */
export const INLINE_DOCUMENT_LIMIT = 16_000;

/**
 * How much longer a deployed asset location can be than its content-hash form
 * (`s3://cdk-asset/<64 hex>`): `s3://` + a bucket name of at most 63 characters
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html) + `/` + an
 * object key of the asset hash, its extension and any prefix a synthesizer adds (32 allowed).
 */
const ASSET_URL_GROWTH = ('s3://'.length + 63 + 1 + 64 + 32) - 's3://cdk-asset/'.length - 64;

/**
 * A document's findings depend on the document and the platform alone, and apps repeat
 * provisioners across images and stacks (shared hardening, an image replicated to another
 * region), so each rendered document is validated once per process.
 */
const findingsByDocument = new BoundedMemo<DocumentFinding[]>(1_000);

/** A document's text and its findings. */
function checkDocument(document: ToeDocument, platform: ToePlatform): { readonly text: string; readonly findings: DocumentFinding[] } {
  let text: string;
  try {
    text = renderComponentDocument(document);
  } catch (e) {
    // A document the renderer cannot write is reported by what the validator finds wrong in it.
    const findings = validateComponentDocument(document, { platform });
    if (findings.some(f => f.severity !== 'warning')) {
      return { text: '', findings };
    }
    throw e;
  }
  const findings = findingsByDocument.get(`${platform}\n${text}`, () => validateComponentDocument(document, { platform }));
  return { text, findings };
}

/** Renders asset locations as their content hashes, so a document hashes the same on every machine. */
const HASH_LOCATOR: AssetLocator = asset => `s3://cdk-asset/${asset.assetHash}`;
const S3_LOCATOR: AssetLocator = asset => asset.s3ObjectUrl;

export interface ImageComponentProps {
  /** The bound provisioner whose document this component holds. */
  readonly provisioner: BoundProvisioner;
  /** The Image Builder name of the component. */
  readonly componentName: string;
  /** The prop the provisioner was given in, for messages. */
  readonly prop: string;
  /** The construct whose path errors name. */
  readonly owner: Construct;
}

/**
 * One Image Builder component made from a provisioner's AWSTOE document, with a version
 * derived from the document's content. Documents over CloudFormation's inline limit go
 * through an S3 asset.
 */
export class ImageComponent extends Construct {
  /** The component's ARN (its build version). */
  public readonly componentArn: string;
  /** A hash of everything that defines the component. */
  public readonly identity: string;
  /** The rendered document, with asset locations shown as content hashes. */
  public readonly documentText: string;

  constructor(scope: Construct, id: string, props: ImageComponentProps) {
    super(scope, id);
    const bound = props.provisioner;
    const build = bound.document!;

    let assetReferences = 0;
    const hashable = build(asset => {
      assetReferences++;
      return HASH_LOCATOR(asset);
    });
    const locatesAssets = assetReferences > 0;
    // Validated first: a document the renderer cannot write is reported as invalid, not as a crash.
    this.documentText = this.validate(props, hashable);
    this.identity = contentHash('component', bound.platform, this.documentText);

    const resource = new imagebuilder.CfnComponent(this, 'Resource', {
      name: props.componentName,
      version: versionFromHash(this.identity),
      platform: bound.platform,
      description: componentDescription(bound.name, props.prop),
      // A document without assets reads the same whichever way they are located.
      ...this.documentSource(props, locatesAssets ? renderComponentDocument(build(S3_LOCATOR)) : this.documentText, assetReferences),
    });
    this.componentArn = resource.attrArn;
  }

  /** Reports the document's findings and returns its text. */
  private validate(props: ImageComponentProps, document: ToeDocument): string {
    const { text, findings } = checkDocument(document, props.provisioner.platform);
    const warnings = props.provisioner.warningsReported ? [] : findings.filter(f => f.severity === 'warning');
    for (const warning of warnings) {
      Annotations.of(props.owner).addWarningV2('cdk-immutable-infra:componentDocument', `${props.prop} ('${props.provisioner.name}'): ${warning.message}`);
    }
    const errors = findings.filter(f => f.severity !== 'warning');
    if (errors.length > 0) {
      const list = errors.map(f => `  - ${f.message}`).join('\n');
      throw new Error(`${props.owner.node.path}: invalid ${props.prop} ('${props.provisioner.name}'): its AWSTOE document does not validate:\n${list}\n`
        + 'Fix the provisioner\'s options (commands holding \'{{ ... }}\' are read by AWSTOE as expressions).');
    }
    return text;
  }

  /**
   * Inline when the deployed text fits. Asset locations known only at deploy time (a stack
   * without an account or region) are measured as the longest an S3 object URL can be: they
   * are longer than the content-hash form the document is validated in.
   */
  private documentSource(props: ImageComponentProps, text: string, assetReferences: number): { data?: string; uri?: string } {
    const deployedAtMost = Token.isUnresolved(text) ? this.documentText.length + assetReferences * ASSET_URL_GROWTH : text.length;
    if (deployedAtMost <= INLINE_DOCUMENT_LIMIT) {
      return { data: text };
    }
    if (Token.isUnresolved(text)) {
      throw new Error(`${props.owner.node.path}: ${props.prop} ('${props.provisioner.name}') renders a document of up to ${deployedAtMost} characters `
        + `once its ${assetReferences} asset location(s) are known; CloudFormation takes at most ${INLINE_DOCUMENT_LIMIT} inline, and a document `
        + 'that refers to assets cannot be uploaded as one. Split it into several provisioners.');
    }
    // Content-named, so the asset hash depends only on the document.
    const dir = path.join(os.tmpdir(), 'cdk-immutable-infra', 'documents', contentHash(text).slice(0, 16));
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'component.yaml');
    fs.writeFileSync(file, text);
    const asset = new s3assets.Asset(this, 'Document', { path: file });
    return { uri: asset.s3ObjectUrl };
  }
}
