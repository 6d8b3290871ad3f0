/**
 * Read-modify-writes of a page's flags byte (PG_*, sim/simLayout.ts), atomic through sync/atomics.ts.
 *
 * Why atomic: in a spread run (sim/spread.ts) one guest's flags are written from two workers at once:
 * reclaim's host-PTE young clear on kswapd's worker (mm/hostPte.ts, Pgdat.referenced) against
 * folio_batch_move_lru's PG_LRU on a vCPU's worker (mm/lruAdd.ts), a fault's map against reclaim, swap
 * readahead's PG_SWAPCACHE against eviction. A plain `flags[i] |= bit` read then wrote the whole byte:
 * the other worker's bit changed in between was lost (PG_LRU dropped, a cleared young bit resurrected).
 * The kernel's page flag ops are atomic RMWs on page->flags (include/linux/page-flags.h: SetPageLRU ->
 * set_bit, folio_test_clear_young / ClearPageReferenced -> test_and_clear_bit / clear_bit; arm64
 * arch/arm64/include/asm/atomic_lse.h LDSET / LDCLR), and the PTE young clear is a cmpxchg
 * (ptep_test_and_clear_young, arch/arm64/include/asm/pgtable.h __ptep_test_and_clear_young).
 *
 * In a one-worker run the routing is plain (atomics.ts plainArenaOps), and in one agent each helper
 * gives exactly the result of the plain expression it replaced: deterministic runs are unchanged.
 */
import { atomics } from '../sync/atomics.ts';

/** flags[i] |= bits (SetPageLRU, SetPageSwapCache: set_bit). Returns the old byte. */
export function setPageFlags(flags: Uint8Array, i: number, bits: number): number {
  return atomics.or8(flags, i, bits);
}

/** flags[i] &= ~bits (ClearPageSwapCache: clear_bit). Returns the old byte. */
export function clearPageFlags(flags: Uint8Array, i: number, bits: number): number {
  return atomics.and8(flags, i, ~bits & 0xff);
}

/**
 * flags[i] = (flags[i] & ~clear) | set as ONE transition (a cmpxchg loop): no other agent sees the byte
 * half-changed (bits cleared, the new ones not yet set). Returns the old byte.
 */
export function updatePageFlags(flags: Uint8Array, i: number, clear: number, set: number): number {
  let old = flags[i];
  for (;;) {
    const seen = atomics.compareExchange8(flags, i, old, (old & ~clear) | set);
    if (seen === old) return old;
    old = seen;
  }
}

/**
 * test_and_clear of `bit` when every bit of `require` is set (ptep_test_and_clear_young: PG_HOST_YOUNG,
 * require 0 since 6.1-6.6's get_pfn_folio has no LRU test, mm/hostPte.ts): true when this call cleared
 * it. A cmpxchg loop: the test and the clear see the same byte, so a concurrent PG_LRU set (lru_add on a
 * vCPU's worker) or a fault's map is not lost.
 */
export function testClearPageFlag(flags: Uint8Array, i: number, bit: number, require: number): boolean {
  let old = flags[i];
  for (;;) {
    if ((old & bit) === 0 || (old & require) !== require) return false;
    const seen = atomics.compareExchange8(flags, i, old, old & ~bit);
    if (seen === old) return true;
    old = seen;
  }
}
