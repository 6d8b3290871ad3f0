/**
 * lru_add across workers: how a page a vCPU mapped on one worker reaches the host lruvec that lives
 * on the reclaim worker (spread runs, sim/spread.ts).
 *
 * Kernel: a newly faulted folio is not put on the LRU by the faulting CPU directly; folio_add_lru
 * adds it to the CPU's `cpu_fbatches.lru_add` folio_batch (folio_batch_add), and when the batch is
 * full (or lru_add_drain runs, e.g. before reclaim isolates folios) folio_batch_move_lru moves the
 * batch under lruvec->lru_lock (lru_add -> lruvec_add_folio). Until then the folio is not on the
 * LRU and reclaim cannot isolate it.
 *
 * Here: one single-producer single-consumer ring per vCPU worker, in a SharedArrayBuffer. The
 * producer (the worker whose vCPUs fault) appends page ids; the consumer (worker 0, the node's
 * reclaim owner, which alone touches the LRU lists) moves them onto the lruvec in FIFO order at every
 * scheduler step and while it waits at the barrier (drainAll). The batch is thus bounded by the
 * consumer's step, not by a fixed FOLIO_BATCH_SIZE (31): a page may stay off the LRU for one
 * scheduler step of worker 0 (a few microseconds of virtual time), as a page in a per-CPU batch
 * stays off it until the batch moves.
 *
 * Layout (Int32 words): [RING_HEAD] next slot the producer writes (producer stores, consumer loads),
 * [RING_TAIL] next slot the consumer reads (consumer stores, producer loads), then `cap` entries.
 * Both indices grow without wrapping modulo cap (slot = index % cap); Int32 overflow would need 2^31
 * faults on one worker in one run. Publication: the producer writes the entry, then stores head with
 * an atomic (release); the consumer loads head atomically (acquire), then reads entries.
 */
import { atomics } from '../sync/atomics.ts';

const RING_HEAD = 0;
const RING_TAIL = 1;
const RING_HDR = 2;

/** Words of a ring holding `cap` entries. */
export const lruAddRingWords = (cap: number): number => RING_HDR + cap;

export class LruAddRing {
  private readonly cap: number;

  constructor(private readonly w: Int32Array) {
    this.cap = w.length - RING_HDR;
    if (this.cap < 1) throw new RangeError('lru_add ring: no room for an entry');
  }

  /**
   * folio_batch_add: append `id` (producer only). When the ring is full the producer waits for the
   * consumer (folio_batch_move_lru takes lru_lock; here the reclaim worker drains), in short sleeps:
   * the consumer drains at every scheduler step and at the barrier, so the wait ends.
   */
  add(id: number): void {
    const w = this.w;
    const head = w[RING_HEAD]; // only this agent writes head
    while (head - atomics.load(w, RING_TAIL) >= this.cap) atomics.wait(w, RING_TAIL, atomics.load(w, RING_TAIL), 1);
    w[RING_HDR + (head % this.cap)] = id;
    atomics.store(w, RING_HEAD, head + 1);
  }

  /** folio_batch_move_lru: hand every published id to `onMap` in order (consumer only). Returns how many. */
  drain(onMap: (id: number) => void): number {
    const w = this.w;
    const head = atomics.load(w, RING_HEAD);
    let tail = w[RING_TAIL]; // only this agent writes tail
    if (tail === head) return 0;
    const n = head - tail;
    for (; tail !== head; tail++) onMap(w[RING_HDR + (tail % this.cap)]);
    atomics.store(w, RING_TAIL, tail);
    atomics.notify(w, RING_TAIL);
    return n;
  }

  /** Entries published and not yet drained. */
  pending(): number {
    return atomics.load(this.w, RING_HEAD) - atomics.load(this.w, RING_TAIL);
  }
}
