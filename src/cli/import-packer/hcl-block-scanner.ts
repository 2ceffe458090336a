/**
 * Where blocks and attributes start in an HCL file. HashiCorp's parser (through hcl2json) gives
 * the values but groups blocks by type, losing the order of `shell, file, shell`, and it gives no
 * line numbers; provisioner order is semantic and the report names lines, so this scanner reads
 * the headers from the source. It skips strings (with their `${ }` interpolations), heredocs and
 * comments, and understands nothing else: the parser has already accepted the file.
 */

/** A block header (`provisioner "shell" {`) or an attribute (`ami_name =`). */
export interface HclItem {
  readonly kind: 'block' | 'attribute';
  /** The block type or attribute name. */
  readonly name: string;
  /** The block's labels. */
  readonly labels: readonly string[];
  /** 1-based. */
  readonly line: number;
  /** The index of the enclosing block in the item list, -1 at the top. */
  readonly parent: number;
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_-]*/y;

/** Every block header and attribute of `text`, in source order. */
export function scanHcl(text: string): HclItem[] {
  const items: HclItem[] = [];
  const stack: number[] = [];
  // Brackets that are not blocks ({ } of object values, [ ]), so their closers are not mistaken.
  const brackets: Array<'block' | 'value'> = [];
  let i = 0;
  let line = 1;
  let atStatementStart = true;
  const parent = () => (stack.length ? stack[stack.length - 1] : -1);
  const inValue = () => brackets.includes('value');

  const skipString = () => {
    // At the opening quote. Interpolations may hold strings of their own.
    i++;
    let depth = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === '\n') line++;
      if ((c === '$' || c === '%') && text[i + 1] === '{' && text[i - 1] !== c) {
        depth++;
        i += 2;
        continue;
      }
      if (depth > 0 && c === '"') {
        skipString();
        continue;
      }
      if (depth > 0 && c === '}') {depth--;} else if (depth === 0 && c === '"') {
        i++;
        return;
      }
      i++;
    }
  };
  const skipHeredoc = (): boolean => {
    const m = /<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/y;
    m.lastIndex = i;
    const header = m.exec(text);
    if (!header) return false;
    const marker = header[1];
    i = m.lastIndex;
    line++;
    while (i < text.length) {
      const end = text.indexOf('\n', i);
      const content = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end + 1;
      if (end >= 0) line++;
      if (content.trim() === marker) return true;
    }
    return true;
  };

  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
      if (!inValue()) atStatementStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (let k = i; k < stop; k++) if (text[k] === '\n') line++;
      i = stop;
      continue;
    }
    if (c === '"') {
      skipString();
      atStatementStart = false;
      continue;
    }
    if (c === '<' && text[i + 1] === '<' && skipHeredoc()) {
      atStatementStart = false;
      continue;
    }
    if (atStatementStart && !inValue()) {
      IDENTIFIER.lastIndex = i;
      const id = IDENTIFIER.exec(text);
      if (id) {
        const header = readHeader(text, IDENTIFIER.lastIndex);
        if (header?.kind === 'block') {
          items.push({ kind: 'block', name: id[0], labels: header.labels, line, parent: parent() });
          stack.push(items.length - 1);
          brackets.push('block');
          i = header.end;
          atStatementStart = true;
          continue;
        }
        if (header?.kind === 'attribute') {
          items.push({ kind: 'attribute', name: id[0], labels: [], line, parent: parent() });
          i = header.end;
          atStatementStart = false;
          continue;
        }
      }
    }
    atStatementStart = false;
    if (c === '{' || c === '[' || c === '(') {brackets.push('value');} else if (c === '}' || c === ']' || c === ')') {
      const closed = brackets.pop();
      if (closed === 'block') {
        stack.pop();
        atStatementStart = true;
      }
    }
    i++;
  }
  return items;
}

/** After an identifier: labels then `{` (a block), or `=` (an attribute). */
function readHeader(text: string, from: number): { kind: 'block' | 'attribute'; labels: string[]; end: number } | undefined {
  const labels: string[] = [];
  let i = from;
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '{') return { kind: 'block', labels, end: i + 1 };
    if (text[i] === '=' && text[i + 1] !== '=') return labels.length ? undefined : { kind: 'attribute', labels, end: i + 1 };
    if (text[i] === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) return undefined;
      labels.push(text.slice(i + 1, close));
      i = close + 1;
      continue;
    }
    IDENTIFIER.lastIndex = i;
    const id = IDENTIFIER.exec(text);
    if (!id) return undefined;
    labels.push(id[0]);
    i = IDENTIFIER.lastIndex;
  }
}

/** The direct children of item `index` (-1: the top level). */
export function childrenOf(items: readonly HclItem[], index: number): Array<{ item: HclItem; index: number }> {
  return items.map((item, k) => ({ item, index: k })).filter(e => e.item.parent === index);
}
