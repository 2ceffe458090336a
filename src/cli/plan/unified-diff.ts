/**
 * A unified diff (`diff -u` style, 3 lines of context) of two texts, or '' when they are equal.
 * Longest common subsequence by dynamic programming: component documents and user data are a
 * few hundred lines at most.
 */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  if (before === after) {
    return '';
  }
  const a = before.split('\n');
  const b = after.split('\n');
  const edits = lineEdits(a, b);
  const hunks: string[] = [];
  let i = 0;
  while (i < edits.length) {
    if (edits[i].op === ' ') {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    // A hunk runs on while the next change is within twice the context.
    while (end < edits.length) {
      let next = end;
      while (next < edits.length && edits[next].op === ' ') {
        next++;
      }
      if (next >= edits.length || next - end > 2 * context) {
        break;
      }
      while (next < edits.length && edits[next].op !== ' ') {
        next++;
      }
      end = next;
    }
    const stop = Math.min(edits.length, end + context);
    const slice = edits.slice(start, stop);
    const first = edits[start];
    const fromCount = slice.filter(e => e.op !== '+').length;
    const toCount = slice.filter(e => e.op !== '-').length;
    hunks.push(`@@ -${first.aLine + (fromCount ? 1 : 0)},${fromCount} +${first.bLine + (toCount ? 1 : 0)},${toCount} @@`);
    hunks.push(...slice.map(e => `${e.op}${e.text}`));
    i = stop;
  }
  return [`--- ${labels.from}`, `+++ ${labels.to}`, ...hunks].join('\n');
}

interface Edit {
  readonly op: ' ' | '-' | '+';
  readonly text: string;
  /** Lines of each side before this one. */
  readonly aLine: number;
  readonly bLine: number;
}

function lineEdits(a: readonly string[], b: readonly string[]): Edit[] {
  const lengths: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i][j] = a[i] === b[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      edits.push({ op: ' ', text: a[i], aLine: i++, bLine: j++ });
    } else if (i < a.length && (j >= b.length || lengths[i + 1][j] >= lengths[i][j + 1])) {
      // Removed lines first, as diff -u prints them.
      edits.push({ op: '-', text: a[i], aLine: i++, bLine: j });
    } else {
      edits.push({ op: '+', text: b[j], aLine: i, bLine: j++ });
    }
  }
  return edits;
}
