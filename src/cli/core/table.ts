/**
 * A plain-text table for summaries: columns padded to their widest cell, the last column left
 * ragged so long notes do not pad every row.
 */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells
    .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
    .join('  ')
    .trimEnd();
  return [line(header), line(widths.map(w => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

/** Seconds with one decimal, as the summaries show them. */
export function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(1)}s`;
}
