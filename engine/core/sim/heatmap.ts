/**
 * The stage-2 heat map: a picture of every guest's guest-physical pages over time, like DAMON's access
 * heat maps (damo report heats), sampled from the simulation's own state, never modelled separately.
 *
 * Each column is one look at a guest between quanta, on its owner worker (nothing else touches the
 * guest's tables or page metadata then): the page flags (simLayout.ts PG_*), the reclaim policy's
 * per-page tag (MGLRU generation seq / active-inactive list) and the stage-2 leaf's access flag, read
 * with stage2GetLeaf as the hardware walker would (one descent per 512-page leaf table, then the
 * table's entries). Pages are folded into HEAT_BINS bins of equal gfn ranges and each channel
 * (protocol.ts HEAT_CHANNELS) is stored as a byte, so a column costs HEAT_BINS * 5 bytes whatever the
 * guest's size; columns are taken at most HEAT_MAX_COLUMNS times per run (a stride of sample
 * intervals), so a run's heat map is bounded too (guests * 128 * 5 * 240 bytes).
 *
 * Reading is side-effect free: no AF is cleared, no counter moves, so a run's numbers are the same
 * with or without the sampler (test/sim/heatmap.test.ts checks it).
 */
import { HEAT_CHANNELS, type GuestHeatmap, type ReclaimPolicy, type RunHeatmap } from '../../protocol.ts';
import { atomics } from '../sync/atomics.ts';
import { S2_AF } from '../arch/descriptor.ts';
import { stage2GetLeaf, type Pgt } from '../arch/pgtable.ts';
import type { LeafOut } from '../arch/pgtableBase.ts';
import { MAX_NR_GENS } from '../mm/policy/mglru.ts';
import { PG_RESIDENT, PG_SWAPPED } from './simLayout.ts';

/** Bins per guest and column (rows of the picture). */
export const HEAT_BINS = 128;
/** Most columns a run keeps; longer runs sample every k-th sample interval. */
export const HEAT_MAX_COLUMNS = 240;
export const HEAT_NCH = HEAT_CHANNELS.length;
const CH_RESIDENT = 0;
const CH_YOUNG = 1;
const CH_AGE = 2;
const CH_EVICTED = 3;
const CH_REFAULTED = 4;
/** active/inactive's tag for the inactive list (policy/activeInactive.ts TAG_INACTIVE). */
const TAG_INACTIVE = 2;
/** PG_SWAPPED's bit number (a literal, so the bundle inlines it): (flags >>> SWAPPED_SHIFT) & 1 is 0 or 1. */
const SWAPPED_SHIFT = 1;
if (1 << SWAPPED_SHIFT !== PG_SWAPPED) throw new Error('heatmap.ts: SWAPPED_SHIFT is not PG_SWAPPED');

export type AgeKind = RunHeatmap['ageKind'];

export function ageKindOf(policy: ReclaimPolicy): AgeKind {
  return policy === 'mglru' ? 'generations' : policy === 'active-inactive' ? 'inactive' : 'none';
}

/** Virtual ns between heat columns: whole sample intervals, at most HEAT_MAX_COLUMNS of them per run. */
export function heatIntervalNs(sampleNs: number, endNs: number): number {
  const rows = Math.ceil(endNs / sampleNs);
  return sampleNs * Math.max(1, Math.ceil(rows / HEAT_MAX_COLUMNS));
}

export function pagesPerBin(pages: number): number {
  return Math.max(1, Math.ceil(pages / HEAT_BINS));
}

/** What the sampler reads of one guest (all owned by the guest's worker). */
export interface HeatSource {
  pages: number;
  flags: Uint8Array | Int32Array;
  /** The policy's per-page tag: tag[tagBase + gfn]. */
  tag: Int16Array | Int32Array;
  tagBase: number;
  pgt: Pgt;
}

const leaf: LeafOut = { level: 0 };
const PAGE = 4096;

/** One guest's sampler: remembers which pages were swapped out at its previous column (for "refaulted"). */
export class GuestHeatSampler {
  readonly perBin: number;
  private readonly wasSwappedOut: Uint8Array;
  // Per-bin accumulators, reused.
  private readonly resident = new Float64Array(HEAT_BINS);
  private readonly young = new Float64Array(HEAT_BINS);
  private readonly evicted = new Float64Array(HEAT_BINS);
  private readonly refaulted = new Float64Array(HEAT_BINS);
  private readonly tagSum = new Float64Array(HEAT_BINS);

  constructor(
    private readonly src: HeatSource,
    private readonly ageKind: AgeKind,
  ) {
    this.perBin = pagesPerBin(src.pages);
    this.wasSwappedOut = new Uint8Array(src.pages);
  }

  /** One column: HEAT_NCH * HEAT_BINS bytes, channel-major (see protocol.ts GuestHeatmap.cells). */
  sample(): Uint8Array {
    const pages = this.src.pages;
    const { resident, young, evicted, refaulted, tagSum, perBin } = this;
    resident.fill(0);
    young.fill(0);
    evicted.fill(0);
    refaulted.fill(0);
    tagSum.fill(0);
    this.maxTag = -Infinity;
    this.block = -1;
    this.blockBase = -1;
    // Bin by bin (no division per page). One call per bin, not one loop over every page: the sampler runs a
    // few times per run on a fresh worker, and one long call only reached optimized code by on-stack
    // replacement, which deoptimized (type feedback of branches not yet taken) and finished in the
    // interpreter: 30-100 ms per 1 GiB column on its first calls against 4-8 ms warm (bench/_heatCost.ts).
    // A bin-sized function is optimized as a whole after a few calls and re-optimized cheaply.
    for (let b = 0, gfn = 0; b < HEAT_BINS && gfn < pages; b++, gfn += perBin)
      this.scanBin(b, gfn, Math.min(pages, gfn + perBin));
    const maxTag = this.maxTag;
    const out = new Uint8Array(HEAT_NCH * HEAT_BINS);
    const scale = 255 / (MAX_NR_GENS - 1);
    for (let b = 0; b < HEAT_BINS; b++) {
      const n = Math.min(perBin, pages - b * perBin);
      if (n <= 0) continue;
      const byte = (x: number): number => Math.round((255 * x) / n);
      out[CH_RESIDENT * HEAT_BINS + b] = byte(resident[b]);
      out[CH_YOUNG * HEAT_BINS + b] = byte(young[b]);
      out[CH_EVICTED * HEAT_BINS + b] = byte(evicted[b]);
      out[CH_REFAULTED * HEAT_BINS + b] = byte(refaulted[b]);
      if (resident[b] > 0) {
        const age =
          this.ageKind === 'generations'
            ? Math.min(255, Math.round((maxTag - tagSum[b] / resident[b]) * scale))
            : this.ageKind === 'inactive'
              ? Math.round((255 * tagSum[b]) / resident[b])
              : 0;
        out[CH_AGE * HEAT_BINS + b] = age;
      }
    }
    return out;
  }

  // scanBin's running state across bins of one column.
  private maxTag = -Infinity;
  /** The 512-page block whose leaf table blockBase points into (gfn >>> 9), or -1. */
  private block = -1;
  /** Leaf table of the current block: the lo word of its entry 0, or -1 (descend per page). */
  private blockBase = -1;

  /** Pages [gfn, end) into bin b of the accumulators; wasSwappedOut[gfn] moves to this column's state. */
  private scanBin(b: number, gfn: number, end: number): void {
    const { flags, tag, tagBase, pgt } = this.src;
    const wasSwappedOut = this.wasSwappedOut;
    const i32 = pgt.views.i32;
    const inactiveKind = this.ageKind === 'inactive';
    let maxTag = this.maxTag;
    let block = this.block;
    let blockBase = this.blockBase;
    let res = 0;
    let yng = 0;
    let ev = 0;
    let ref = 0;
    let tags = 0;
    for (; gfn < end; gfn++) {
      const f = flags[gfn];
      if ((f & PG_RESIDENT) !== 0) {
        res++;
        // Branch-free (wasSwappedOut holds 0 or 1): a branch first taken at the second column (a page evicted at
        // the first and resident now) deoptimized scanBin, compiled during the first ("insufficient type feedback",
        // node --trace-deopt), and cost a second compile in every fresh replay worker (session 18 (b)).
        ref += wasSwappedOut[gfn];
        wasSwappedOut[gfn] = 0;
        const t = tag[tagBase + gfn];
        tags += inactiveKind ? (t === TAG_INACTIVE ? 1 : 0) : t;
        if (t > maxTag) maxTag = t;
        const blk = gfn >>> 9;
        let w: number;
        if (blk === block) w = blockBase >= 0 ? blockBase + ((gfn & 511) << 1) : stage2GetLeaf(pgt, gfn * PAGE);
        else {
          w = stage2GetLeaf(pgt, gfn * PAGE, leaf);
          block = blk;
          blockBase = w >= 0 && leaf.level === 3 ? w - ((gfn & 511) << 1) : -1;
        }
        // READ_ONCE of the AF: in a spread run another worker's vCPU may set it meanwhile (a racy look, as
        // DAMON's pte_young(ptep_get()) is); one worker reads a quiet table either way.
        if (w >= 0 && (atomics.readOnce(i32, w) & S2_AF) !== 0) yng++;
      } else {
        const out = (f >>> SWAPPED_SHIFT) & 1; // 1 when evicted, as the resident branch, branch-free
        ev += out;
        wasSwappedOut[gfn] = out;
      }
    }
    this.resident[b] = res;
    this.young[b] = yng;
    this.evicted[b] = ev;
    this.refaulted[b] = ref;
    this.tagSum[b] = tags;
    this.maxTag = maxTag;
    this.block = block;
    this.blockBase = blockBase;
  }
}

/** Collects the columns of a run's guests (host side) and assembles RunResult.heatmap. */
export class HeatStore {
  private readonly cols: { tMs: number[]; cells: Uint8Array[] }[];

  constructor(
    private readonly names: string[],
    private readonly pages: number[],
    private readonly ageKind: AgeKind,
  ) {
    this.cols = names.map(() => ({ tMs: [], cells: [] }));
  }

  put(guest: number, tMs: number, cells: Uint8Array): void {
    const c = this.cols[guest];
    if (!c || cells.length !== HEAT_NCH * HEAT_BINS) return;
    c.tMs.push(tMs);
    c.cells.push(cells);
  }

  result(): RunHeatmap {
    const guests: GuestHeatmap[] = this.names.map((name, g) => {
      const c = this.cols[g];
      // Columns arrive in time order from the owner worker; sort anyway (cheap, and a contract).
      const order = c.tMs.map((_, i) => i).sort((a, b) => c.tMs[a] - c.tMs[b]);
      const cells = new Uint8Array(order.length * HEAT_NCH * HEAT_BINS);
      order.forEach((i, k) => cells.set(c.cells[i], k * HEAT_NCH * HEAT_BINS));
      return {
        name,
        pages: this.pages[g],
        pagesPerBin: pagesPerBin(this.pages[g]),
        tMs: Float64Array.from(order.map((i) => c.tMs[i])),
        cells,
      };
    });
    return { bins: HEAT_BINS, ageKind: this.ageKind, guests };
  }
}
