/**
 * "Did you mean" for unknown keys, ids and option values (every caller: CLI ids, options and choices,
 * preset and config keys, --set paths, sweep specs):
 * 1. an allowed key one edit away (`rn` -> run, `seed-debat` -> seed-debate);
 * 2. else the one allowed key that the key begins (at least 3 characters): `zipf` -> zipf-web (4 edits
 *    away, s17-g), `--dur` -> --duration-ms (not --out, 2 edits away), `memory` -> memoryMiB;
 * 3. else the closest allowed key by edit distance, if it is close enough to be a plausible typo
 *    (distance <= 2, or <= a third of the key's length for long keys);
 * 4. else the one allowed key one of whose dash-, underscore- or dot-separated words the key begins:
 *    `altra` -> ampere-altra, `memcached` -> repro-memcached-arm64.
 * A key that begins several allowed keys (`repro`) gets none at that step: the caller's list of known keys
 * shows them.
 */
export function suggestKey(key: string, allowed: readonly string[]): string | undefined {
  // Bounded cost: a typo is short. Edit distance is O(key x candidate), so a 10 MB key would take
  // seconds per candidate; no key longer than this is worth a suggestion.
  if (key.length > MAX_SUGGEST_LENGTH) return undefined;
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  if (bestDistance <= 1) return best;
  const long = key.length >= MIN_PREFIX_LENGTH;
  const whole = long ? onlyOne(allowed.filter((c) => c.toLowerCase().startsWith(lower))) : undefined;
  if (whole !== undefined) return whole;
  const limit = Math.max(2, Math.floor(key.length / 3));
  if (bestDistance <= limit) return best;
  if (!long || allowed.some((c) => c.toLowerCase().startsWith(lower))) return undefined;
  return onlyOne(
    allowed.filter((c) =>
      c
        .toLowerCase()
        .split(/[-_.]/)
        .some((w) => w.startsWith(lower)),
    ),
  );
}

const MIN_PREFIX_LENGTH = 3;

function onlyOne(list: readonly string[]): string | undefined {
  return list.length === 1 ? list[0] : undefined;
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

/** The parenthesis after an unknown id: `(did you mean ampere-altra? known: a, b)`, or `(known: a, b)`. */
export function knownIds(id: string, known: Iterable<string>, none = 'none'): string {
  const list = [...known];
  const hint = suggestKey(id, list);
  return `(${hint ? `did you mean ${hint}? ` : ''}known: ${list.join(', ') || none})`;
}
