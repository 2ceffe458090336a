/**
 * The candidate most likely meant by a misspelt name: the same name in another case first
 * (CloudFormation names are case-sensitive, and camelCase for PascalCase is the usual slip
 * in untyped properties), else the closest one within a small edit distance.
 */
export function suggestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    if (candidate.toLowerCase() === lower) {
      return candidate;
    }
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/** ` Did you mean "X"?` or nothing. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const suggestion = suggestName(name, candidates);
  if (suggestion === undefined) {
    return '';
  }
  const caseOnly = suggestion.toLowerCase() === name.toLowerCase();
  return ` Did you mean "${suggestion}"?${caseOnly ? ' (names are case-sensitive)' : ''}`;
}
