/**
 * Multi-generation LRU for one guest (Linux mm/vmscan.c, lru_gen_*), reduced to what the
 * stage-2 question needs:
 *
 * - Generations are sequence numbers minSeq..maxSeq (at most MAX_NR_GENS live, at least
 *   MIN_NR_GENS); each is a list (head = pages + seq % MAX_NR_GENS) with its page count
 *   (lrugen->nr_pages). tag[gfn] = the page's seq.
 * - New pages join generation maxSeq - 1 (lru_gen_add_folio for anon pages not in swap cache).
 * - Aging is reclaim-driven (agingGate.ts), never on a timer: should_run_aging decides. It must
 *   run when only MIN_NR_GENS generations are left (the oldest was exhausted: eviction cannot take
 *   from the two youngest, scan_folios), and kswapd also runs it at MIN_NR_GENS + 1 when the
 *   youngest generation holds more than 1/MIN_NR_GENS of the pages or the oldest less than
 *   1/(MIN_NR_GENS + 2) (the kernel's ideal spread). kswapd (lru_gen_age_node) runs a pass in
 *   steps; direct reclaim (try_to_inc_max_seq from get_nr_to_scan) runs it inline, only when it
 *   must. Passes (walks) start at least reclaim.agingIntervalMs apart. If eviction must have a
 *   new generation while the gate is closed, it gets one without a walk (the kernel's nowalk
 *   path of try_to_inc_max_seq): free, lock-free, and not an aging pass; eviction's own AF test
 *   and lookaround then sort the pages, so reclaim never stalls on the rate limit.
 * - A pass: maxSeq++, then walk the guest's stage-2 in windows of 64 gfns with testClearYoung
 *   (through the harvest mode, one hold per 512 gfns = one leaf table); young pages move to the
 *   new youngest generation. At MAX_NR_GENS the oldest is folded into the next.
 * - Eviction from the oldest generation's tail: the victim's AF is tested (the rmap walk);
 *   young → promoted to maxSeq, and with lookaround the 64-gfn window around it is
 *   test-cleared through the bitmap and its young pages promoted too (lru_gen_look_around);
 *   old → evicted. An empty oldest generation is retired (minSeq++).
 */
import type { DList } from '../dlist.ts';
import type { Harvester } from '../harvest.ts';
import { GS_AGING_PASSES } from '../simLayout.ts';
import type { AgingGate } from './agingGate.ts';
import type { Policy } from './policy.ts';

export const MIN_NR_GENS = 2;
export const MAX_NR_GENS = 4;
const WINDOW = 64;
const HOLD_GFNS = 512;

/** should_run_aging's answers. */
const AGING_NO = 0;
const AGING_SHOULD = 1;
const AGING_MUST = 2;

export class Mglru implements Policy {
  readonly seesEveryAccess = false;
  private minSeq = 0;
  private maxSeq = MIN_NR_GENS - 1;
  private agingCursor = 0;
  /** Pages per generation, index seq % MAX_NR_GENS. */
  private readonly nrPages = new Int32Array(MAX_NR_GENS);

  constructor(
    private readonly list: DList,
    private readonly tag: Int32Array,
    private readonly tagBase: number,
    private readonly flags: Int32Array,
    private readonly pages: number,
    private readonly lookaround: boolean,
    private readonly stats: Float64Array,
    private readonly sb: number,
    private readonly gate: AgingGate,
  ) {
    for (let i = 0; i < MAX_NR_GENS; i++) list.init(pages + i);
  }

  private head(seq: number): number {
    return this.pages + (seq % MAX_NR_GENS);
  }

  onMap(gfn: number): void {
    const seq = this.maxSeq - 1;
    this.list.insertHead(this.head(seq), gfn);
    this.tag[this.tagBase + gfn] = seq;
    this.nrPages[seq % MAX_NR_GENS]++;
  }

  onAccess(): void {}

  /** Move a resident page to the youngest generation (it was found young). */
  private promote(gfn: number): void {
    const seq = this.tag[this.tagBase + gfn];
    if (seq === this.maxSeq) return;
    this.list.moveToHead(this.head(this.maxSeq), gfn);
    this.tag[this.tagBase + gfn] = this.maxSeq;
    this.nrPages[seq % MAX_NR_GENS]--;
    this.nrPages[this.maxSeq % MAX_NR_GENS]++;
  }

  /** Fold the oldest generation into the next one (both become minSeq + 1). */
  private incMinSeq(): void {
    const from = this.minSeq % MAX_NR_GENS;
    this.list.spliceToTail(this.head(this.minSeq), this.head(this.minSeq + 1));
    this.nrPages[(this.minSeq + 1) % MAX_NR_GENS] += this.nrPages[from];
    this.nrPages[from] = 0;
    this.minSeq++;
  }

  /** should_run_aging (mm/vmscan.c, one type: anon): whether eviction needs a new generation. */
  private agingNeed(): number {
    const gens = this.maxSeq - this.minSeq + 1;
    if (gens <= MIN_NR_GENS) return AGING_MUST;
    if (gens > MIN_NR_GENS + 1) return AGING_NO;
    const young = this.nrPages[this.maxSeq % MAX_NR_GENS];
    const old = this.nrPages[this.minSeq % MAX_NR_GENS];
    let total = 0;
    for (let s = this.minSeq; s <= this.maxSeq; s++) total += this.nrPages[s % MAX_NR_GENS];
    if (young * MIN_NR_GENS > total) return AGING_SHOULD;
    if (old * (MIN_NR_GENS + 2) < total) return AGING_SHOULD;
    return AGING_NO;
  }

  /** kswapd: a pass is needed (must or should) and the gate is open. Never with no resident page. */
  wantsAging(t: number): boolean {
    return this.agingNeed() !== AGING_NO && !this.isEmpty() && this.gate.open(t);
  }

  /**
   * A new youngest generation without a page-table walk (try_to_inc_max_seq's
   * iterate_mm_list_nowalk path): no AF is harvested, so it costs nothing and holds no lock; pages
   * are sorted only by the eviction's own AF test and lookaround, which promote young victims.
   */
  private incMaxSeqNoWalk(): void {
    if (this.maxSeq - this.minSeq + 1 >= MAX_NR_GENS) this.incMinSeq();
    this.maxSeq++;
  }

  /** Start an aging pass at virtual time t: a new youngest generation (folding the oldest at MAX_NR_GENS). */
  beginAging(t: number): void {
    this.gate.start(t);
    if (this.maxSeq - this.minSeq + 1 >= MAX_NR_GENS) this.incMinSeq();
    this.maxSeq++;
    this.agingCursor = 0;
    this.stats[this.sb + GS_AGING_PASSES]++;
  }

  /**
   * Harvest the next chunk of HOLD_GFNS gfns that has resident pages, in one hold (one lock
   * acquisition in the locked modes). Returns false when the pass is complete.
   */
  ageStep(h: Harvester): boolean {
    if (!h.informative) this.agingCursor = this.pages;
    const flags = this.flags;
    while (this.agingCursor < this.pages) {
      const base = this.agingCursor;
      const end = Math.min(base + HOLD_GFNS, this.pages);
      this.agingCursor = end;
      let any = false;
      for (let i = base; i < end; i++) {
        if ((flags[i] & 1) !== 0) {
          any = true;
          break;
        }
      }
      if (!any) continue;
      h.lockBegin();
      for (let w = base; w < end; w += WINDOW) this.harvestWindow(h, w, Math.min(WINDOW, end - w));
      h.lockEnd();
      if (this.agingCursor < this.pages) return true;
    }
    this.gate.end();
    return false;
  }

  private harvestWindow(h: Harvester, start: number, count: number): void {
    h.testClearYoungWindow(start, count);
    const y = h.young;
    for (let k = 0; k < 2; k++) {
      let bits = y[k];
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits);
        bits &= ~(1 << b);
        this.promote(start + k * 32 + b);
      }
    }
  }

  pickVictim(h: Harvester, inlineAging: boolean): number {
    const list = this.list;
    if (this.isEmpty()) return -1;
    for (let budget = 4 * this.pages + 16; budget > 0; budget--) {
      if (this.maxSeq - this.minSeq + 1 <= MIN_NR_GENS) {
        // Eviction cannot take from the two youngest generations: a new one is needed now. With
        // the gate open, direct reclaim runs the walk here and kswapd returns to run it in steps;
        // with the gate closed (a walk in progress, or the last one started less than
        // agingIntervalMs ago) the generation is added without a walk.
        if (this.gate.open(h.t)) {
          if (!inlineAging) return -1;
          this.beginAging(h.t);
          while (this.ageStep(h)) {
            /* next 512-gfn chunk */
          }
        } else this.incMaxSeqNoWalk();
      }
      const v = list.tail(this.head(this.minSeq));
      if (v < 0) {
        this.minSeq++; // retire the empty oldest generation (the check above keeps > MIN_NR_GENS)
        continue;
      }
      if (h.testClearYoungOne(v)) {
        this.promote(v);
        if (this.lookaround) {
          const start = Math.max(0, Math.min(v - WINDOW / 2, this.pages - WINDOW));
          h.lockBegin();
          this.harvestWindow(h, start, Math.min(WINDOW, this.pages - start));
          h.lockEnd();
        }
        continue;
      }
      list.remove(v);
      this.nrPages[this.minSeq % MAX_NR_GENS]--;
      return v;
    }
    return -1;
  }

  private isEmpty(): boolean {
    for (let s = this.minSeq; s <= this.maxSeq; s++) if (!this.list.isEmpty(this.head(s))) return false;
    return true;
  }
}
