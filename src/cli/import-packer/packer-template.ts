/**
 * A Packer template as the importer sees it once either language is read and every expression
 * it could evaluate is evaluated: plain values, with where each block came from.
 */

/** A place in a template file (1-based line). */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** A block with its evaluated settings and where each setting was written. */
export interface PackerBlock extends SourceLocation {
  /** The plugin type: `amazon-ebs`, `shell`, `manifest`... */
  readonly type: string;
  /** Evaluated settings (JSON: the object's keys; HCL: attributes and nested blocks). */
  readonly config: { readonly [key: string]: unknown };
  /** The line of each top-level setting, where known. */
  readonly lines: { readonly [key: string]: number };
}

/** A builder (JSON) or source (HCL2). */
export interface PackerSource extends PackerBlock {
  /** The name `only`/`except` use: the JSON builder's name (or type), the HCL2 `type.name`. */
  readonly name: string;
  /** The short name Packer's `source.name` / `{{build_name}}` give. */
  readonly shortName: string;
}

/** A provisioner or post-processor, in template order. */
export interface PackerStep extends PackerBlock {
  readonly only?: readonly string[];
  readonly except?: readonly string[];
}

/** One image to build: a source in a build, with the steps that apply to it, in order. */
export interface PackerImage {
  readonly buildName?: string;
  readonly source: PackerSource;
  /** Provisioners that apply to this source (only/except already applied). */
  readonly provisioners: readonly PackerStep[];
  /** Post-processors that apply to this source. */
  readonly postProcessors: readonly PackerStep[];
}

/** Something the template says that the importer cannot carry over, found while reading it. */
export interface TemplateNote extends SourceLocation {
  readonly item: string;
  readonly message: string;
}

/** A variable the template declares. */
export interface PackerVariable extends SourceLocation {
  readonly name: string;
  readonly sensitive: boolean;
  /** Whether a value came from anywhere (default, var-file, --var, PKR_VAR_). */
  readonly set: boolean;
}

/** The template once read. */
export interface PackerTemplate {
  readonly language: 'json' | 'hcl2';
  /** The files read, template files first, then var-files. */
  readonly files: readonly string[];
  /** The folder relative paths in the template resolve against (`path.root`, `{{template_dir}}`). */
  readonly root: string;
  readonly images: readonly PackerImage[];
  readonly variables: readonly PackerVariable[];
  /** Values of sensitive variables by variable name (never written into code). */
  readonly sensitiveValues: ReadonlyMap<string, string>;
  /** What reading the template already found unsupported (HCP registry, unknown data sources...). */
  readonly notes: readonly TemplateNote[];
}
