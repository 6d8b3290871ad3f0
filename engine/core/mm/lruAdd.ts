/**
 * lru_add in spread runs (sim/spread.ts): how a page a vCPU mapped reaches the shared host lruvec
 * (mm/sharedLru.ts).
 *
 * Kernel: a newly faulted folio is not put on the LRU by the faulting CPU directly; folio_add_lru adds it
 * to the CPU's `cpu_fbatches.lru_add` folio_batch (folio_batch_add), and when the batch is full
 * (FOLIO_BATCH_SIZE) folio_batch_move_lru moves the whole batch under lruvec->lru_lock (lru_add ->
 * lruvec_add_folio); lru_add_drain moves a partial batch. Until then the folio is not on the LRU and
 * reclaim cannot isolate it.
 *
 * Here: one batch per worker (the worker's vCPUs share its "CPU"), in the worker's own memory. A full
 * batch moves in one lru_lock hold, by the worker whose vCPU filled it; every worker drains its partial
 * batch at the end of each quantum (lru_add_drain; the kernel's drains come from reclaim and from
 * lru_add_drain_all, so a page may wait in a batch longer there). Each page moved gets PG_LRU.
 *
 * The fault's marks (markAccessedN; kvm/faultinMarks.ts markOnMap): folio_mark_accessed (mm/swap.c, 6.1-6.4)
 * on a folio with no PG_LRU calls __lru_cache_activate_folio, which searches this CPU's lru_add batch
 * backwards and sets PG_active on it there ("the local pagevec is examined" only); PG_referenced is set and
 * cleared on the folio as on any other. lru_add_fn -> lruvec_add_folio then puts a PG_active folio on the
 * active list (classic LRU) and keeps PG_referenced; MGLRU's folio_inc_refs bits (PG_referenced,
 * PG_workingset, LRU_REFS) are kept by lru_gen_add_folio. So a batched folio's marks, applied right after
 * its onMap in the move's hold, leave it exactly as the deterministic run's onMap then markAccessedN does
 * (the node's folio flags byte holds the shadow's token until onMap, so the marks wait in the batch).
 * A folio not in this batch (the batch moved on it, or a readahead folio already on the LRU) is marked on
 * the lruvec under lru_lock (LockedLruvec.markAccessedN: folio_activate / folio_inc_refs).
 */
import type { LockedLruvec } from './sharedLru.ts';
import { PG_LRU } from '../sim/simLayout.ts';
import { setPageFlags } from './pageFlags.ts';
import type { Policy } from './policy/policy.ts';

/**
 * PAGEVEC_SIZE (include/linux/pagevec.h): folios a per-CPU batch holds before it moves. 15 in 6.1-6.4 ("15
 * pointers + header align the folio_batch structure to a power of two"); 31 only from 6.9 ("mm: increase
 * folio batch size", 9cecde80aae0).
 */
export const FOLIO_BATCH_SIZE = 15;

export class LruAddBatch {
  /** Batched page ids (read by moveBatch, as marks and n). */
  readonly ids = new Int32Array(FOLIO_BATCH_SIZE);
  /** folio_mark_accessed calls each batched folio took while in the batch (applied at the move). */
  readonly marks = new Uint8Array(FOLIO_BATCH_SIZE);
  n = 0;

  constructor(
    readonly lruvec: LockedLruvec,
    /** Page flags of each guest, and the first host-wide page id of each. */
    readonly flags: Uint8Array[],
    readonly bases: number[],
  ) {}

  /** folio_add_lru: into this worker's batch; a full batch moves to the lruvec. */
  onMap(id: number): void {
    this.marks[this.n] = 0;
    this.ids[this.n++] = id;
    if (this.n === FOLIO_BATCH_SIZE) this.lruvec.locked(moveBatch, this);
  }

  /**
   * `n` folio_mark_accessed calls by the fault that mapped `id` (see the file comment): on the folio in
   * this batch (__lru_cache_activate_folio's backward search), else on the lruvec.
   */
  markAccessedN(id: number, n: number): void {
    if (n === 0) return;
    for (let i = this.n - 1; i >= 0; i--) {
      if (this.ids[i] === id) {
        this.marks[i] += n;
        return;
      }
    }
    this.lruvec.markAccessedN(id, n);
  }

  /** lru_add_drain: move a partial batch. */
  drain(): void {
    if (this.n > 0) this.lruvec.locked(moveBatch, this);
  }

  /** Pages waiting in the batch. */
  get pending(): number {
    return this.n;
  }
}

/**
 * folio_batch_move_lru: under one lru_lock hold, each folio of `b` onto the lruvec and PG_LRU set. A
 * module-level function, not a closure per batch: LockedLruvec.locked's call site then sees one target
 * across a kept worker's runs (docs/ARCHITECTURE.md session 16 (m)).
 */
function moveBatch(p: Policy, b: LruAddBatch): void {
  const { ids, marks, bases, flags } = b;
  for (let i = 0; i < b.n; i++) {
    const id = ids[i];
    p.onMap(id);
    if (marks[i] !== 0) p.markAccessedN(id, marks[i]);
    let g = bases.length - 1;
    while (bases[g] > id) g--;
    setPageFlags(flags[g], id - bases[g], PG_LRU);
  }
  b.n = 0;
}
