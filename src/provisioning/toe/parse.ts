import { Document, isScalar, parseDocument, visit, YAMLError } from 'yaml';
import type { ScalarTag, Tags } from 'yaml';

/** A component document that is not well-formed YAML (or JSON). */
export class ComponentDocumentError extends Error {
  /** 1-based line of the first problem, when the parser could place it. */
  public readonly line?: number;
  /** 1-based column of the first problem, when the parser could place it. */
  public readonly column?: number;

  constructor(message: string, line?: number, column?: number) {
    super(message);
    this.name = 'ComponentDocumentError';
    this.line = line;
    this.column = column;
    Object.setPrototypeOf(this, ComponentDocumentError.prototype);
  }
}

/**
 * Parses YAML (or JSON) text; on a YAML syntax error throws ComponentDocumentError whose
 * message names `source`, the line and column, and quotes the offending line.
 *
 * Numbers whose text is not their canonical form (`0700`, `1.10`, `1.0`, `+1`) are kept as
 * the text written: AWSTOE reads such values into string fields verbatim, so turning them into
 * numbers here would change the document when it is rendered again (`1.10` would become `1.1`).
 */
export function parseComponentDocumentYaml(text: string, source: string = 'component document'): unknown {
  const document = parseDocument(text, {
    customTags: keepNonCanonicalNumbers,
    // Map keys that are collections (an unquoted `{{ x }}` read as a flow map) become strings;
    // the validator reports those, so the library's own warning would only be noise.
    logLevel: 'error',
    prettyErrors: true,
  });
  // Unknown tags and directives are only warnings to the yaml library, but AWSTOE cannot read them.
  const problem: YAMLError | undefined = document.errors[0] ?? document.warnings[0];
  if (problem) {
    throw syntaxError(text, source, problem);
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // Aliases are resolved only here: one without its anchor, or too many, cannot be read.
    throw aliasError(text, source, document, e instanceof Error ? e.message : String(e));
  }
}

function aliasError(text: string, source: string, document: Document.Parsed, reason: string): ComponentDocumentError {
  const name = /: (\S+)$/.exec(reason)?.[1];
  let offset: number | undefined;
  visit(document, {
    Alias(_, node) {
      if (offset === undefined && (name === undefined || node.source === name)) {
        offset = node.range?.[0];
      }
    },
  });
  if (offset === undefined) {
    return new ComponentDocumentError(`${source} is not valid YAML: ${reason}`);
  }
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  const line = before.length;
  const col = before[before.length - 1].length + 1;
  return syntaxError(text, source, { message: reason, linePos: [{ line, col }] });
}

function keepNonCanonicalNumbers(tags: Tags): Tags {
  return tags.map(tag => isNumberTag(tag) ? withTextFallback(tag) : tag);
}

function isNumberTag(tag: Tags[number]): tag is ScalarTag {
  return typeof tag === 'object' && (tag.tag === 'tag:yaml.org,2002:int' || tag.tag === 'tag:yaml.org,2002:float');
}

function withTextFallback(tag: ScalarTag): ScalarTag {
  return {
    ...tag,
    resolve: (text, onError, options) => {
      const resolved = tag.resolve(text, onError, options);
      // The float tags resolve to a Scalar node that remembers its fraction digits.
      const value = isScalar(resolved) ? resolved.value : resolved;
      if (typeof value === 'number' && Number.isFinite(value) && String(value) !== text) {
        return text;
      }
      return resolved;
    },
  };
}

function syntaxError(text: string, source: string, problem: Pick<YAMLError, 'message' | 'linePos'>): ComponentDocumentError {
  const position = problem.linePos?.[0];
  const reason = problem.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
  if (!position) {
    return new ComponentDocumentError(`${source} is not valid YAML: ${reason}`);
  }
  const lineText = text.split(/\r\n|\r|\n/)[position.line - 1] ?? '';
  const gutter = `${position.line} | `;
  const lines = [
    `${source} is not valid YAML at line ${position.line}, column ${position.col}: ${reason}`,
    `  ${gutter}${lineText}`,
    `  ${' '.repeat(gutter.length + position.col - 1)}^`,
  ];
  const hint = expressionHint(lineText);
  if (hint) {
    lines.push(hint);
  }
  return new ComponentDocumentError(lines.join('\n'), position.line, position.col);
}

/** A value that starts with `{{` is a YAML flow map, not a string: the usual cause of such errors. */
function expressionHint(lineText: string): string | undefined {
  if (/(^|[:\-[,]\s*)\{\{/.test(lineText)) {
    return 'A value that starts with {{ ... }} must be quoted, for example \'{{ MyParameter }}\' or "echo {{ loop.value }}".';
  }
  if (/\{\{/.test(lineText) && /['"]\s*$/.test(lineText)) {
    return 'Check the quotes around the expression on this line: a quoted value must end where its closing quote is.';
  }
  return undefined;
}
