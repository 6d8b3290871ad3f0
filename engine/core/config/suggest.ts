/**
 * "Did you mean" for unknown keys: the closest allowed key by edit distance, if it is close enough
 * to be a plausible typo (distance <= 2, or <= a third of the key's length for long keys).
 */
export function suggestKey(key: string, allowed: readonly string[]): string | undefined {
  // Bounded cost: a typo is short. Edit distance is O(key x candidate), so a 10 MB key would take
  // seconds per candidate; no key longer than this is worth a suggestion.
  if (key.length > MAX_SUGGEST_LENGTH) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  const limit = Math.max(2, Math.floor(key.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Keys (or values) longer than this get no "did you mean" (and cost nothing to refuse). */
export const MAX_SUGGEST_LENGTH = 64;

/** Levenshtein distance (insert, delete, substitute), O(a*b) with one row. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
