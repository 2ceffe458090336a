import * as fs from 'fs';
import { Annotations, Token } from 'aws-cdk-lib';
import { requireLocalPath } from './local-files';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind } from './provisioner-kind';
import { provisionerName, refuseCredentials, refuseCredentialVariables } from './step-settings';
import { ToeDocument } from './toe/component-document';
import { ComponentDocumentError, parseComponentDocumentYaml } from './toe/parse';
import { documentPlatforms, validateComponentDocument } from './toe/validate';
import { invalidProp, invalidPropMessage } from '../private/errors';
import { sanitizeName } from '../private/names';

/**
 * Options for a raw AWSTOE component document.
 */
export interface ComponentDocumentOptions {
  /**
   * A name for the component, unique in the image: letters, digits, hyphens and underscores.
   *
   * @default - the document's own `name`, made safe, else the kind and position (`document-3`)
   */
  readonly name?: string;

  /**
   * Values for the parameters the document declares, by name. Every parameter without a
   * default must be given. Stored in plain text in the recipe: never put secrets here.
   *
   * @default - the document's defaults
   */
  readonly parameters?: { [name: string]: string };
}

/** Where a document comes from, kept as given until it is bound (errors need the image's path). */
type DocumentSource =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'object'; readonly value: unknown }
  | { readonly kind: 'file'; readonly path: string };

/** A document read and parsed, with its text for the credential check. */
interface LoadedDocument {
  readonly document: unknown;
  readonly text: string;
  /** The document as messages name it. */
  readonly what: string;
}

/** Room left in a 100-character provisioner name. */
const MAX_NAME = 100;

/**
 * `Provisioner.fromComponentDocument*()`: a user's own AWSTOE document, used as it is (its
 * own phases and steps) after it is checked at synth time.
 */
export class RawComponentDocument implements ProvisionerKind {
  /** A document as YAML (or JSON) text. */
  public static fromText(text: string, options: ComponentDocumentOptions = {}): RawComponentDocument {
    return new RawComponentDocument({ kind: 'text', text }, options);
  }

  /** A document as an object (for example built in code or read from JSON). */
  public static fromObject(value: { [key: string]: any }, options: ComponentDocumentOptions = {}): RawComponentDocument {
    // A copy: later changes to the caller's object must not change the image.
    return new RawComponentDocument({ kind: 'object', value: value === undefined ? undefined : JSON.parse(JSON.stringify(value)) }, options);
  }

  /** A document read from a local YAML (or JSON) file when the image is synthesised. */
  public static fromFile(path: string, options: ComponentDocumentOptions = {}): RawComponentDocument {
    return new RawComponentDocument({ kind: 'file', path }, options);
  }

  public readonly kindName = 'document';

  private constructor(private readonly source: DocumentSource, private readonly options: ComponentDocumentOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    const loaded = this.load(context);
    refuseCredentials(context, 'document', loaded.text, loaded.what);
    const document = this.validate(context, loaded);
    const parameters = this.checkParameters(context, document, loaded.what);
    const name = provisionerName(context, { name: this.options.name ?? nameFromDocument(document) ?? context.defaultName });
    this.warnAboutPhase(context, document, loaded.what);
    return {
      name,
      platform: context.osFamily,
      document: () => document,
      ...(parameters ? { parameters } : {}),
      warningsReported: true,
    };
  }

  private load(context: ProvisionerBindContext): LoadedDocument {
    const source = this.source;
    if (source.kind === 'object') {
      if (source.value === null || typeof source.value !== 'object' || Array.isArray(source.value)) {
        invalidProp(context.scope, `${context.prop}.document`, source.value, 'a component document is a map with schemaVersion and phases',
          'Give the document as an object such as { schemaVersion: \'1.0\', phases: [...] }');
      }
      return { document: source.value, text: JSON.stringify(source.value, undefined, 2), what: 'the component document' };
    }
    let text: string;
    let what: string;
    if (source.kind === 'file') {
      const file = requireLocalPath(context, 'document', source.path, ['file']);
      text = fs.readFileSync(file.resolved, 'utf8');
      what = `the component document ${source.path}`;
    } else {
      if (typeof source.text !== 'string' || source.text.trim() === '') {
        invalidProp(context.scope, `${context.prop}.document`, source.text, 'the component document is empty',
          'Give the AWSTOE document as YAML text (schemaVersion: 1.0, phases: ...)');
      }
      if (Token.isUnresolved(source.text)) {
        invalidProp(context.scope, `${context.prop}.document`, source.text, 'the component document must be known at synth time to be checked',
          'Give the document as plain text, or read it with Provisioner.fromComponentDocumentFile()');
      }
      text = source.text;
      what = 'the component document';
    }
    try {
      return { document: parseComponentDocumentYaml(text, what), text, what };
    } catch (e) {
      if (e instanceof ComponentDocumentError) {
        const [headline, ...details] = e.message.split('\n');
        throw new Error(invalidPropMessage(context.scope, `${context.prop}.document`, shownDocument(this.source), headline,
          'Fix the YAML at the line shown') + (details.length > 0 ? `\n${details.join('\n')}` : ''));
      }
      throw e;
    }
  }

  /** Platform first (one clear sentence), then the full schema check, every error listed. */
  private validate(context: ProvisionerBindContext, loaded: LoadedDocument): ToeDocument {
    const platform = context.osFamily;
    const raw = loaded.document as ToeDocument;
    const platforms = Array.isArray(raw?.phases) ? documentPlatforms(raw) : [];
    if (Array.isArray(raw?.phases) && !platforms.includes(platform)) {
      const runsOn = platforms.length === 0 ? 'mixes Linux-only and Windows-only actions' : `runs only on ${platforms.join(' and ')}`;
      invalidProp(context.scope, `${context.prop}.document`, shownDocument(this.source), `${loaded.what} ${runsOn} and the parent image is ${platform}`,
        `Give a document written for ${platform}`);
    }
    const findings = validateComponentDocument(loaded.document, { platform });
    const errors = findings.filter(f => f.severity === 'error');
    if (errors.length > 0) {
      throw new Error(invalidPropMessage(context.scope, `${context.prop}.document`, shownDocument(this.source),
        `${loaded.what} is not a valid AWSTOE document (${errors.length} problem${errors.length > 1 ? 's' : ''})`,
        'Fix each problem listed below (`awstoe validate --documents <file>` runs AWS\'s own check)')
        + errors.map(f => `\n  - ${f.message}`).join(''));
    }
    for (const warning of findings.filter(f => f.severity !== 'error')) {
      Annotations.of(context.scope).addWarningV2('cdk-immutable-infra:componentDocument', `${context.prop}: ${loaded.what}: ${warning.message}`);
    }
    return loaded.document as ToeDocument;
  }

  private checkParameters(context: ProvisionerBindContext, document: ToeDocument, what: string): Record<string, string> | undefined {
    const declared = new Map<string, boolean>();
    for (const entry of document.parameters ?? []) {
      for (const [name, definition] of Object.entries(entry ?? {})) {
        declared.set(name, definition?.default !== undefined);
      }
    }
    const given = this.options.parameters ?? {};
    for (const name of Object.keys(given)) {
      if (!declared.has(name)) {
        const known = declared.size > 0 ? `it declares ${[...declared.keys()].map(n => `'${n}'`).join(', ')}` : 'it declares no parameters';
        invalidProp(context.scope, `${context.prop}.parameters`, name, `${what} has no parameter of that name (${known})`,
          'Give only parameters the document declares, spelled as declared');
      }
    }
    const missing = [...declared.entries()].filter(([name, hasDefault]) => !hasDefault && given[name] === undefined).map(([name]) => name);
    if (missing.length > 0) {
      invalidProp(context.scope, `${context.prop}.parameters`, this.options.parameters,
        `${what} declares ${missing.map(n => `'${n}'`).join(', ')} without a default, and AWSTOE needs a value for each`,
        `Give ${missing.length > 1 ? 'them' : 'it'} in parameters, e.g. { ${missing[0]}: '...' }`);
    }
    refuseCredentialVariables(context, 'parameters', given);
    return this.options.parameters === undefined ? undefined : { ...given };
  }

  private warnAboutPhase(context: ProvisionerBindContext, document: ToeDocument, what: string): void {
    const phases = document.phases.map(p => p.name);
    if (!phases.includes(context.phase)) {
      Annotations.of(context.scope).addWarningV2('cdk-immutable-infra:componentDocumentPhase',
        `${context.prop}: ${what} has no '${context.phase}' phase; it runs its own phases (${phases.join(', ')}) wherever Image Builder runs them`);
    }
  }
}

/** The document's own `name`, made into a valid provisioner name, if it has one. */
function nameFromDocument(document: ToeDocument): string | undefined {
  if (typeof document.name !== 'string') {
    return undefined;
  }
  const name = sanitizeName(document.name).replace(/^_+/, '').slice(0, MAX_NAME).replace(/[-_]+$/, '');
  return name === '' ? undefined : name;
}

function shownDocument(source: DocumentSource): string {
  return source.kind === 'file' ? source.path : source.kind === 'text' ? '(YAML text)' : '(document object)';
}
