/**
 * What an import carried over: each builder option, provisioner and post-processor as mapped,
 * approximate or unsupported, with the template file and line.
 */
import { SourceLocation } from './packer-template';

export type MappingStatus = 'mapped' | 'approximate' | 'unsupported';

/** One item of the report. */
export interface ReportEntry extends SourceLocation {
  /** The image (source) it belongs to; empty for template-wide items. */
  readonly image: string;
  /** `builder`, `provisioner`, `post-processor`, `variable`, `template`. */
  readonly kind: 'builder' | 'provisioner' | 'post-processor' | 'variable' | 'template';
  /** `ami_name`, `shell`, `manifest`... */
  readonly item: string;
  readonly status: MappingStatus;
  readonly message: string;
}

/** Counts per kind and status. */
export type ReportCounts = Record<ReportEntry['kind'], Record<MappingStatus, number>>;

export function countEntries(entries: readonly ReportEntry[]): ReportCounts {
  const counts = {} as ReportCounts;
  for (const kind of ['builder', 'provisioner', 'post-processor', 'variable', 'template'] as const) {
    counts[kind] = { mapped: 0, approximate: 0, unsupported: 0 };
  }
  for (const e of entries) counts[e.kind][e.status]++;
  return counts;
}

/** The report as text for standard output. */
export function formatReport(template: string, out: string, entries: readonly ReportEntry[]): string {
  const counts = countEntries(entries);
  const lines = [`Imported ${template} -> ${out}`];
  for (const kind of ['builder', 'provisioner', 'post-processor'] as const) {
    const c = counts[kind];
    lines.push(`  ${kind}s: ${c.mapped} mapped, ${c.approximate} approximate, ${c.unsupported} unsupported`);
  }
  for (const status of ['approximate', 'unsupported'] as const) {
    const list = entries.filter(e => e.status === status);
    if (list.length === 0) continue;
    lines.push(status === 'approximate' ? 'Mapped approximately:' : 'No equivalent (left as comments in the code):');
    for (const e of list) lines.push(`  ${e.file}:${e.line} ${e.image ? `[${e.image}] ` : ''}${e.item}: ${e.message}`);
  }
  return `${lines.join('\n')}\n`;
}
