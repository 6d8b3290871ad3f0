// Diagnostics (bench/_parallelDrift.ts VICTIMS=from-to, in-process modes d1 / 1t): per guest, how eviction's
// candidates on the shared lruvec fared between two virtual times (sampled at quantum ends): folio_referenced
// calls on candidates (Pgdat.referenced: pickVictim's tail folio and, in spread runs, the isolated one) and how
// many were young; folios evicted (Mglru.evicted); refault-protected moves (sort_folio's protected branch,
// MglruEviction.protect); lazy promotions (folio_update_gen: the walk's and kswapd's look-around, Mglru.promote);
// activations (activate: a young candidate in one-worker runs, and direct reclaim's look-around). Tells whether a
// guest is evicted less because fewer of its folios reach the oldest generation's tail or because more of those
// that do are found young.
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { Mglru } from '../engine/core/mm/policy/mglru.ts';
import { hookMethod } from './_util.ts';

const NAMES = ['cand', 'young', 'evict', 'protect', 'promote', 'activate', 'walkSteps', 'walkPages', 'walkStepsW1'];
/** The worker running now (1t sets it around each worker's runUntil; 0 otherwise): walk steps made on worker 1. */
export const running = { worker: 0 };
const counts: number[][] = [];
let snap: number[][] | null = null;
let from = 0;
let to = Infinity;
let printed = false;
const PAGES_PER_GUEST = { n: 65536 };

function bump(k: number, id: number): void {
  const g = Math.floor(id / PAGES_PER_GUEST.n);
  while (counts.length <= g) counts.push(NAMES.map(() => 0));
  counts[g][k]++;
}

/** Install the hooks (before the runs): ids are guest * pagesPerGuest + gfn (one lruvec, equal guests). */
export function installVictimSplit(fromNs: number, toNs: number, pagesPerGuest: number): void {
  from = fromNs;
  to = toNs;
  PAGES_PER_GUEST.n = pagesPerGuest;
  hookMethod(
    Pgdat.prototype,
    'referenced',
    (orig) =>
      function (this: unknown, id: number, p: unknown) {
        const y = orig.call(this, id, p) as boolean;
        bump(0, id);
        if (y) bump(1, id);
        return y;
      },
    { mustRun: true },
  );
  // The aging walk's steps (Pgdat.walk: one MAX_LRU_BATCH range of one guest) and the pages they span.
  hookMethod(
    Pgdat.prototype,
    'walk',
    (orig) =>
      function (this: unknown, start: number, end: number, ...a: unknown[]) {
        bump(6, start);
        const g = Math.floor(start / PAGES_PER_GUEST.n);
        counts[g][7] += end - start;
        if (running.worker === 1) counts[g][8]++;
        return orig.call(this, start, end, ...a);
      },
    { mustRun: true },
  );
  for (const [k, name] of [
    [2, 'evicted'],
    [3, 'protect'],
    [4, 'promote'],
    [5, 'activate'],
  ] as const)
    hookMethod(
      Mglru.prototype,
      name,
      (orig) =>
        function (this: unknown, id: number, ...a: unknown[]) {
          bump(k, id);
          return orig.call(this, id, ...a);
        },
      { mustRun: name !== 'protect' },
    );
}

/** VICTIMWIN=ms: print the counts of every window of that length from `from` to `to` (0: one window). */
const WIN = Number(process.env.VICTIMWIN ?? 0) * 1e6;
let winEnd = 0;

/** At each quantum end t (ns): snapshot at `from`, print the difference at `to` (or at each window's end). */
export function victimTick(label: string, t: number): void {
  if (WIN > 0) {
    if (snap === null && t >= from) {
      snap = counts.map((c) => c.slice());
      winEnd = from + WIN;
    }
    if (snap !== null && t >= winEnd && t <= to + WIN / 2) {
      const s = snap;
      const cols = counts.map((c, g) => {
        const d = c.map((x, k) => x - (s[g]?.[k] ?? 0));
        return `g${g} ${NAMES.map((n, k) => `${n} ${d[k]}`).join(' ')} young/cand ${(d[1] / Math.max(1, d[0])).toFixed(3)}`;
      });
      console.log(
        `${label} victims ${((winEnd - WIN) / 1e6).toFixed(0)}-${(winEnd / 1e6).toFixed(0)} ms: ${cols.join(' | ')}`,
      );
      snap = counts.map((c) => c.slice());
      winEnd += WIN;
    }
    return;
  }
  if (snap === null && t >= from) snap = counts.map((c) => c.slice());
  if (snap !== null && !printed && t >= to) {
    printed = true;
    const s = snap;
    const cols = counts.map((c, g) => {
      const d = c.map((x, k) => x - (s[g]?.[k] ?? 0));
      return `g${g} ${NAMES.map((n, k) => `${n} ${d[k]}`).join(' ')} young/cand ${(d[1] / Math.max(1, d[0])).toFixed(3)}`;
    });
    console.log(`${label} victims ${from / 1e6}-${to / 1e6} ms: ${cols.join(' | ')}`);
  }
}

/** Forget the counts (between runs). */
export function resetVictimSplit(): void {
  counts.length = 0;
  snap = null;
  printed = false;
}
