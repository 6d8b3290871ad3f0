/**
 * The hardware side of one guest access that missed the TLB (arm64, FEAT_HAFDBS): the stage-2 walk the
 * MMU does (stage2GetLeaf, the walker of arch/arm64/kvm/hyp/pgtable.c in hardware's place) and, on a valid
 * leaf with AF clear, the hardware access-flag update by cmpxchg (ARM ARM D8.5 "Hardware management of the
 * Access flag"); a leaf without AF and no FEAT_HAFDBS is an access-flag fault for the caller
 * (handle_access_fault), a write to a read-only leaf a permission fault. And recheckTlb, the spread runs'
 * stand-in for the TLBI + DSB that completes every walk in flight.
 *
 * Called by the vCPU's per-access loop (sim/vcpu.ts, which re-exports translate and translateLeaf) and
 * the trace replay. Performance contract: no allocation; `lastLeafWord` a module variable, not a result
 * object.
 */
import { PTE_VALID, S2AP_W, S2_AF } from '../arch/descriptor.ts';
import { atomics } from '../sync/atomics.ts';
import { stage2GetLeaf, stage2TrySetPte, type Pgt } from '../arch/pgtable.ts';
import type { ArenaViews } from '../layout.ts';
import type { Tlbs } from '../arch/tlb.ts';
import { TX_AF_FAULT, TX_CAS_FAIL, TX_HW_AF, TX_MISS, TX_PERM, TX_WRITABLE } from './txBits.ts';

const PAGE = 4096;

/** Arena word of the leaf the last translate() read (-1: none); the TLB re-check reads it again. */
export let lastLeafWord = -1;

/**
 * The hardware side of one access that missed the TLB: the stage-2 walk (stage2GetLeaf) and, on a
 * valid leaf with AF clear, the FEAT_HAFDBS update by cmpxchg. Lockless: the caller is inside an RCU
 * read-side section wherever table pages may be unlinked concurrently (test/stress runs it so).
 * Returns TX_* bits; faults are left to the caller (Guest or mmu.ts handlers).
 */
export function translate(pgt: Pgt, gfn: number, write: boolean, hafdbs: boolean): number {
  const w = stage2GetLeaf(pgt, gfn * PAGE);
  lastLeafWord = w;
  if (w < 0) return TX_MISS;
  return translateLeaf(pgt.views, w, write, hafdbs);
}

/**
 * translate() after its walk: the access at the leaf whose lo word is `w` (a walk's result). The
 * trace replay (sim/replay.ts) calls it with the leaf word it keeps per mapped gfn (its walk cache).
 */
export function translateLeaf(views: ArenaViews, w: number, write: boolean, hafdbs: boolean): number {
  // A plain read is enough: a stale value only makes the cmpxchg below fail (counted). But the leaf may
  // have been unmapped since the walk found it (reclaim on another worker, spread runs): the hardware
  // sets AF only in a valid descriptor, so an invalid one is a miss (a cmpxchg from 0 would plant
  // AF in an empty entry: found by the spread runs, "unmap under the write lock met 0x400").
  const lo = views.i32[w];
  if ((lo & PTE_VALID) === 0) return TX_MISS;
  let r = (lo & S2AP_W) !== 0 ? TX_WRITABLE : write ? TX_PERM : 0;
  if ((lo & S2_AF) === 0) {
    if (!hafdbs) r |= TX_AF_FAULT;
    else r |= stage2TrySetPte(views, w, lo, lo | S2_AF) ? TX_HW_AF : TX_HW_AF | TX_CAS_FAIL;
  }
  return r;
}

/**
 * Spread runs (sim/spread.ts): a translation just put in the shared TLB of vCPU `vi` must not outlive
 * an unmap or an AF clear that reclaim (on another worker) made after this walk read the leaf. The
 * kernel's guarantee: the unmapper's TLBI + DSB completes every walk in flight, so no walk that read
 * the old leaf inserts its entry after the invalidation. Here: publish the entry (an SC store), then
 * re-read the leaf; if it lacks a bit of `need` (valid; and young after a walk that made it young),
 * take the entry back (if still ours). The reclaimer clears the leaf (SC) before it invalidates TLB
 * entries, so one of the two sees the other.
 * Inside the step's RCU read-side section, so the leaf's table page is not reused meanwhile.
 *
 * Cost and why it stays (session 13): called per TLB insert only (a TLB miss or a fault), never on a
 * TLB hit, but inserts are ~0.68 per access in the bench's 64-vCPU spread run (store 0.677, load 0.647
 * per access: bench/_spreadAtomicsCount.ts). The pair is the store-buffering (Dekker) pattern: each side
 * stores one location and then loads the other (vCPU: entry, then leaf; reclaimer: leaf by cmpxchg, then
 * the slot in Tlbs.invalidate), and only a total order over both (sequential consistency) forbids the
 * outcome where both loads see the old values (a live entry for an unmapped leaf). Anything weaker lets
 * it happen: release/acquire (arm64 STLR then a plain LDR may complete out of order; x86 lets a load
 * pass an earlier plain store), a plain re-read of the leaf (outside the JS memory model's ordering of
 * the SC store), or the check deferred to the step's end (the vCPU would hit the stale entry until
 * then, where the kernel's TLBI + DSB allows none). Fewer operations would need another protocol, e.g.
 * inserting a fault's entry before its MMU read-lock release, so that the unmapper's write-lock
 * acquire orders it: not done (the fault path suspends and retries across several calls).
 * The reclaimer's side reads the slots with plain loads after its SC cmpxchg on the leaf (correct on
 * x86's locked cmpxchg and arm64's CASAL; strictly, the JS model orders only SC operations).
 */
export function recheckTlb(pgt: Pgt, tlbs: Tlbs, vi: number, gfn: number, w: number, need: number): void {
  const slot = vi * tlbs.entries + (gfn % tlbs.entries);
  const x = tlbs.e[slot];
  atomics.store(tlbs.e, slot, x);
  const lo = w < 0 ? 0 : atomics.load(pgt.views.i32, w);
  if ((lo & need) !== need) atomics.compareExchange(tlbs.e, slot, x, 0);
}
