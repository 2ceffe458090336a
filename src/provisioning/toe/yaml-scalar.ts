import { parseDocument } from 'yaml';
import { BoundedMemo } from '../../private/bounded-memo';

/**
 * How the renderer writes one string: plain when every YAML reader reads it back as the same
 * string, quoted otherwise, and as a literal block when it spans lines.
 */

/**
 * Characters YAML cannot carry unescaped, plus the ones YAML 1.1 counts as line breaks
 * (NEL, LS, PS), the byte order mark and unpaired surrogates: a string holding any of them
 * is double-quoted.
 */
const NEEDS_ESCAPE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]/u;

/** Whether a string may be written without quotes and still read back as itself. */
export function isPlainSafe(value: string, asKey: boolean): boolean {
  if (value === '' || value.includes('\n') || value.includes('{{') || NEEDS_ESCAPE.test(value)) {
    return false;
  }
  if (value.includes('\t') || (asKey && value === '<<')) {
    return false;
  }
  if (PLAIN_TEXT.test(value) && !YAML_WORD.test(value) && !EXPONENT.test(value)) {
    return true;
  }
  if (NEVER_PLAIN.test(value)) {
    return false;
  }
  // Older readers (YAML 1.1: yes/no/on/off booleans, 0777 octals, 1:20 sexagesimals,
  // timestamps) and YAML 1.2 readers must both read the text back as this very string.
  // Parsing twice is the costly part of rendering, and the same keys and values recur in
  // every component of an app, so each verdict is kept.
  return plainVerdicts.get(value, () => readsBackPlain(value));
}

/**
 * Text that starts with a letter or `/` and goes on with letters, digits, single spaces and
 * punctuation that YAML gives a meaning only at the start of a scalar (`-`, `&`, `*`, `!`, `|`,
 * `>`, `'`, `"`, `%`, `@`) or never (`_ . / = + ; ( ) $ ~ ^ < ,`) is a plain string to every
 * YAML reader: numbers, timestamps and sexagesimals start with a digit, sign or dot; YAML's
 * booleans and nulls are single words; and without `:` or `#` nothing in it can start a mapping
 * value or a comment (YAML 1.2, 7.3.3 Plain Style). The words YAML 1.1 or 1.2 reads as a boolean or
 * null, and words that start like an exponent (the YAML 1.1 reader takes `E0` for a float with
 * no digits before it), go the slow way. Most shell commands are such text, so rendering an
 * app's components usually never loads the YAML library (about 50 ms at start-up).
 */
const PLAIN_TEXT = /^[A-Za-z/][\w./=+;()$~^<>,&*!|'"%@-]*(?: [\w./=+;()$~^<>,&*!|'"%@-]+)*$/;

/**
 * Text no reader reads back as itself when written plain: `: ` starts a mapping value, ` #` a
 * comment, a trailing `:` an empty mapping value, spaces at either end are not part of a plain
 * scalar, and whole decimal numbers are numbers to both readers.
 */
const NEVER_PLAIN = /: | #|:$|^ | $|^[0-9]+(?:\.[0-9]+)?$/;
const YAML_WORD = /^(?:y|n|yes|no|true|false|on|off|null)$/i;
const EXPONENT = /^[eE][-+]?[0-9]/;
const plainVerdicts = new BoundedMemo<boolean>(10_000);

/**
 * The verdict of the YAML readers themselves: what the fast paths above must always agree with
 * (a different verdict would change rendered documents, their hashes and so every image version).
 */
export function readsBackPlain(value: string): boolean {
  return readsBackAs(value, '1.1') && readsBackAs(value, '1.2');
}

function readsBackAs(value: string, version: '1.1' | '1.2'): boolean {
  const document = parseDocument(value, { version, logLevel: 'error' });
  if (document.errors.length > 0 || document.warnings.length > 0) {
    return false;
  }
  try {
    return document.toJS() === value;
  } catch {
    // An alias (`*name`) without its anchor cannot be read at all.
    return false;
  }
}

/** `'text'`, with `'` doubled; or a double-quoted string when the text holds characters that need escapes. */
export function quoted(value: string): string {
  if (!NEEDS_ESCAPE.test(value) && !value.includes('\n')) {
    return `'${value.replace(/'/g, '\'\'')}'`;
  }
  return doubleQuoted(value);
}

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
  '\0': '\\0',
  '\x07': '\\a',
  '\b': '\\b',
  '\x1b': '\\e',
  '\f': '\\f',
  '\v': '\\v',
  '\x85': '\\N',
  '\xa0': '\\_',
  '\u2028': '\\L',
  '\u2029': '\\P',
};

function doubleQuoted(value: string): string {
  let out = '"';
  for (const char of value) {
    const escape = ESCAPES[char];
    if (escape) {
      out += escape;
    } else if (NEEDS_ESCAPE.test(char)) {
      out += `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
    } else {
      out += char;
    }
  }
  return `${out}"`;
}

/** Whether a multi-line string can be a literal block scalar (`|`) without losing characters. */
export function isLiteralSafe(value: string): boolean {
  return !NEEDS_ESCAPE.test(value) && !value.includes('\r');
}

/**
 * The header (`|`, `|-`, `|+`, with an indentation indicator when the text starts with spaces)
 * and the content lines of a literal block scalar. Content lines are indented by `indent`
 * spaces; empty lines stay empty.
 */
export function literalBlock(value: string, indent: number): { header: string; lines: string[] } {
  const trailingBreaks = /\n*$/.exec(value)![0].length;
  const chomping = trailingBreaks === 0 ? '-' : trailingBreaks === 1 ? '' : '+';
  // A reader guesses the indentation from the first line with text; leading spaces there
  // (or on the blank lines before it) would be taken for indentation, so state it instead.
  const leading = /^[ \n]*/.exec(value)![0];
  const indicator = leading.includes(' ') ? '2' : '';
  const body = trailingBreaks === 0 ? value : value.slice(0, value.length - 1);
  const lines = body.split('\n').map(line => (line === '' ? '' : `${' '.repeat(indent)}${line}`));
  return { header: `|${indicator}${chomping}`, lines };
}
