/**
 * Multi-generation LRU for one guest (Linux mm/vmscan.c, lru_gen_*), reduced to what the
 * stage-2 question needs:
 *
 * - Generations are sequence numbers minSeq..maxSeq (at most MAX_NR_GENS live, at least
 *   MIN_NR_GENS); each is a list (head = pages + seq % MAX_NR_GENS). tag[gfn] = the page's seq.
 * - New pages join generation maxSeq - 1 (lru_gen_add_folio for anon pages not in swap cache).
 * - Aging (periodic, every reclaim.agingIntervalMs, and inline when eviction is down to
 *   MIN_NR_GENS): maxSeq++, then walk the guest's stage-2 in windows of 64 gfns with
 *   testClearYoung (through the harvest mode, one hold per 512 gfns = one leaf table); young
 *   pages move to the new youngest generation. At MAX_NR_GENS the oldest is folded into the next.
 * - Eviction from the oldest generation's tail: the victim's AF is tested (the rmap walk);
 *   young → promoted to maxSeq, and with lookaround the 64-gfn window around it is
 *   test-cleared through the bitmap and its young pages promoted too (lru_gen_look_around);
 *   old → evicted. An empty oldest generation is retired (minSeq++).
 */
import type { DList } from '../dlist.ts';
import type { Harvester } from '../harvest.ts';
import { GS_AGING_PASSES } from '../simLayout.ts';
import type { Policy } from './policy.ts';

export const MIN_NR_GENS = 2;
export const MAX_NR_GENS = 4;
const WINDOW = 64;
const HOLD_GFNS = 512;

export class Mglru implements Policy {
  readonly seesEveryAccess = false;
  readonly agesPeriodically = true;
  private minSeq = 0;
  private maxSeq = MIN_NR_GENS - 1;
  private agingCursor = 0;

  constructor(
    private readonly list: DList,
    private readonly tag: Int32Array,
    private readonly tagBase: number,
    private readonly flags: Int32Array,
    private readonly pages: number,
    private readonly lookaround: boolean,
    private readonly stats: Float64Array,
    private readonly sb: number,
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
  }

  onAccess(): void {}

  /** Move a resident page to the youngest generation (it was found young). */
  private promote(gfn: number): void {
    if (this.tag[this.tagBase + gfn] === this.maxSeq) return;
    this.list.moveToHead(this.head(this.maxSeq), gfn);
    this.tag[this.tagBase + gfn] = this.maxSeq;
  }

  /** Fold the oldest generation into the next one (both become minSeq + 1). */
  private incMinSeq(): void {
    this.list.spliceToTail(this.head(this.minSeq), this.head(this.minSeq + 1));
    this.minSeq++;
  }

  /** A whole aging pass at once (inline aging on the eviction path). */
  age(h: Harvester): void {
    this.beginAging();
    while (this.ageStep(h)) {
      /* next 512-gfn chunk */
    }
  }

  /** Start an aging pass: a new youngest generation (folding the oldest at MAX_NR_GENS). */
  beginAging(): void {
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
      return this.agingCursor < this.pages;
    }
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

  pickVictim(h: Harvester): number {
    const list = this.list;
    if (this.isEmpty()) return -1;
    for (let budget = 4 * this.pages + 16; budget > 0; budget--) {
      if (this.maxSeq - this.minSeq + 1 <= MIN_NR_GENS) this.age(h);
      const v = list.tail(this.head(this.minSeq));
      if (v < 0) {
        this.minSeq++; // retire the empty oldest generation (aging above keeps >= MIN_NR_GENS)
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
      return v;
    }
    return -1;
  }

  private isEmpty(): boolean {
    for (let s = this.minSeq; s <= this.maxSeq; s++) if (!this.list.isEmpty(this.head(s))) return false;
    return true;
  }
}
