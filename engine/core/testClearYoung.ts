/**
 * Lockless accessed-bit harvest: kvm_arch_test_clear_young() as posted in
 * "kvm/arm64: add kvm_arch_test_clear_young()" (Yu Zhao, Feb 2023; seed/).
 *
 *   testClearYoung(pgt, startGfn, endGfn, lsbGfn, bitmap, stats?): boolean   (always true)
 *
 * Semantics, exactly as stage2_test_clear_young() in the patch:
 * - Walk [startGfn, endGfn) with LEAF visits only, SHARED (lockless reads).
 * - For each valid leaf that is young (AF set), with gfn = the walk position
 *   (ctx.addr / PAGE_SIZE; a block is visited once, at its first gfn in range):
 *   toggle bit n = lsbGfn - gfn of `bitmap` (bit n is word n >> 5, bit n & 31;
 *   __test_and_change_bit). If that bit was set BEFORE the toggle, clear AF with
 *   cmpxchg (stage2TrySetPte); a failed cmpxchg means someone changed the PTE
 *   (unmap, hardware, another ager) and is left alone.
 * - Old or invalid leaves leave their bit untouched.
 * So on input a set bit asks "clear AF if young"; on output a set bit means
 * "young, and AF was left set" (the caller asked only to test it).
 *
 * A bit index outside the bitmap breaks the caller's invariant: RangeError (checked for
 * the whole range up front, so the outcome does not depend on which pages are young).
 * No lock and no RCU in here: the caller (mmu.ts) wraps the call in rcuReadLock,
 * which keeps table pages alive while we read them.
 */
import { S2_AF } from './descriptor.ts';
import { stage2TrySetPte, type Pgt } from './pgtable.ts';
import { LEAF, SHARED, walk, type VisitCtx, type Walker } from './walker.ts';
import { PAGE_SIZE } from './layout.ts';

/** Counters a caller may pass in; testClearYoung adds to them. */
export interface TestClearYoungStats {
  /** Leaf entries examined (valid or not). */
  scanned: number;
  /** Valid leaves found with AF set. */
  young: number;
  /** AF cleared by our cmpxchg. */
  cleared: number;
  /** cmpxchg lost to a concurrent change of the PTE. */
  casFailures: number;
}

export function newTestClearYoungStats(): TestClearYoungStats {
  return { scanned: 0, young: 0, cleared: 0, casFailures: 0 };
}

interface Arg {
  lsbGfn: number;
  bitmap: Uint32Array;
  nbits: number;
  stats: TestClearYoungStats;
}

function testClearYoungVisitor(ctx: VisitCtx<Arg>): number {
  const a = ctx.arg;
  const st = a.stats;
  st.scanned++;
  const old = ctx.oldLo;
  // Valid and young; the patch: `new = old & ~AF; if (!valid(new) || new == old) return 0`.
  if ((old & 1) === 0 || (old & S2_AF) === 0) return 0;
  st.young++;
  const n = a.lsbGfn - ctx.gfn;
  if (!(n >= 0 && n < a.nbits)) {
    throw new RangeError(
      `testClearYoung: bit ${n} (lsbGfn ${a.lsbGfn} - gfn ${ctx.gfn}) outside a ${a.nbits}-bit bitmap`,
    );
  }
  const i = n >>> 5;
  const mask = 1 << (n & 31);
  const word = a.bitmap[i];
  a.bitmap[i] = word ^ mask;
  if ((word & mask) !== 0) {
    if (stage2TrySetPte(ctx.views, ctx.word, old, old & ~S2_AF)) st.cleared++;
    else st.casFailures++;
  }
  return 0;
}

const scratchStats = newTestClearYoungStats();

/**
 * Test and clear the accessed bit of [startGfn, endGfn), as the seed patch. Returns true
 * (the patch returns false only when the architecture lacks the feature: mmu.ts decides that).
 */
export function testClearYoung(
  pgt: Pgt,
  startGfn: number,
  endGfn: number,
  lsbGfn: number,
  bitmap: Uint32Array,
  stats: TestClearYoungStats = scratchStats,
): boolean {
  if (endGfn <= startGfn) return true;
  // Every gfn of the range must own a bit, young or not: check once, up front.
  const nbits = bitmap.length * 32;
  if (!(lsbGfn - (endGfn - 1) >= 0 && lsbGfn - startGfn < nbits)) {
    throw new RangeError(
      `testClearYoung: gfns [${startGfn}, ${endGfn}) with lsbGfn ${lsbGfn} need bits outside a ${nbits}-bit bitmap`,
    );
  }
  const walker: Walker<Arg> = {
    cb: testClearYoungVisitor,
    arg: { lsbGfn, bitmap, nbits, stats },
    flags: LEAF | SHARED,
  };
  walk(pgt, startGfn * PAGE_SIZE, (endGfn - startGfn) * PAGE_SIZE, walker);
  return true;
}
