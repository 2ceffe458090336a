/** TypeScript names derived from Packer's source names. */

/** PascalCase from a Packer name (`ubuntu18-ami` -> `Ubuntu18Ami`). */
export function pascal(name: string): string {
  const out = name.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^./, c => c.toUpperCase());
  return /^[0-9]/.test(out) ? `Image${out}` : out || 'Image';
}
