import { describe, it, expect } from 'vitest';
import { createArena, PAGE_SIZE } from '../../engine/core/layout.ts';
import { KVM_INVALID_PTE_LOCKED, S2_AF, leafAttrs, pteYoung } from '../../engine/core/arch/descriptor.ts';
import { directMmOps, stage2GetLeaf, stage2Map, stage2PgtInit, type Pgt } from '../../engine/core/arch/pgtable.ts';
import { newTestClearYoungStats, testClearYoung } from '../../engine/core/arch/testClearYoung.ts';
import { nativeAtomicOps, setAtomicOps } from '../../engine/core/sync/atomics.ts';

type State = 'young' | 'old' | 'invalid';

function setup(states: State[], g0: number): Pgt {
  const v = createArena({ tablePages: 16, maxThreads: 1, maxLocks: 1 });
  const pgt = stage2PgtInit(v, directMmOps(v));
  states.forEach((s, i) => {
    if (s !== 'invalid')
      expect(stage2Map(pgt, (g0 + i) * PAGE_SIZE, PAGE_SIZE, 1000 + i, leafAttrs({ young: s === 'young' }))).toBe(0);
  });
  return pgt;
}

const young = (pgt: Pgt, gfn: number): boolean | null => {
  const w = stage2GetLeaf(pgt, gfn * PAGE_SIZE);
  return w < 0 ? null : pteYoung(pgt.views.i32[w]);
};
const bitOf = (bm: Uint32Array, n: number): boolean => (bm[n >>> 5] & (1 << (n & 31))) !== 0;

describe('testClearYoung: the seed patch bitmap semantics', () => {
  it('every combination of leaf state and input bit, at several lsbGfn offsets', () => {
    const g0 = 2 ** 33 + 77; // high gfns, not 512-aligned
    const states: State[] = [];
    for (let i = 0; i < 90; i++) states.push((['young', 'old', 'invalid'] as const)[i % 3]);
    for (const extra of [0, 1, 31, 32, 45]) {
      const pgt = setup(states, g0);
      const n = states.length;
      const lsbGfn = g0 + n - 1 + extra;
      const bitmap = new Uint32Array(Math.ceil((n + extra) / 32));
      // Input bit pattern: gfn i gets its bit set when (i >> 1) is odd, covering all 6 (state, bit) pairs.
      for (let i = 0; i < n; i++) if ((i >> 1) & 1) bitmap[(lsbGfn - g0 - i) >>> 5] |= 1 << ((lsbGfn - g0 - i) & 31);
      const before = bitmap.slice();
      const stats = newTestClearYoungStats();
      expect(testClearYoung(pgt, g0, g0 + n, lsbGfn, bitmap, stats)).toBe(true);
      for (let i = 0; i < n; i++) {
        const b = lsbGfn - (g0 + i);
        const wasSet = bitOf(before, b);
        const s = states[i];
        const tag = `extra ${extra} gfn +${i} ${s} bit ${wasSet}`;
        if (s === 'young') {
          expect(bitOf(bitmap, b), tag).toBe(!wasSet); // toggled
          expect(young(pgt, g0 + i), tag).toBe(!wasSet); // AF cleared only when the bit was set before
        } else {
          expect(bitOf(bitmap, b), tag).toBe(wasSet); // untouched
          expect(young(pgt, g0 + i), tag).toBe(s === 'old' ? false : null);
        }
      }
      // Bits outside the range's own bits stay as they were.
      for (let b = 0; b < extra; b++) expect(bitOf(bitmap, b)).toBe(bitOf(before, b));
      expect(stats).toEqual({ scanned: n, young: 30, cleared: 15, casFailures: 0 });
    }
  });

  it('a second pass with the output bitmap undoes the toggles of the first', () => {
    const g0 = 4096;
    const pgt = setup(['young', 'young', 'old', 'young'], g0);
    const bitmap = new Uint32Array(1);
    testClearYoung(pgt, g0, g0 + 4, g0 + 3, bitmap); // all bits clear: test only
    expect(bitmap[0]).toBe(0b1101); // bit 3 - i for the young gfns i = 0, 1, 3
    expect([0, 1, 2, 3].map((i) => young(pgt, g0 + i))).toEqual([true, true, false, true]);
    testClearYoung(pgt, g0, g0 + 4, g0 + 3, bitmap); // bits set: clear AF
    expect(bitmap[0]).toBe(0);
    expect([0, 1, 2, 3].map((i) => young(pgt, g0 + i))).toEqual([false, false, false, false]);
  });

  it('a block leaf is one PTE: one bit, at the walk position (the block start, or the range start inside it)', () => {
    const v = createArena({ tablePages: 16, maxThreads: 1, maxLocks: 1 });
    const pgt = stage2PgtInit(v, directMmOps(v));
    const b = 512 * 9;
    expect(
      stage2Map(pgt, b * PAGE_SIZE, 512 * PAGE_SIZE, 512 * 3, leafAttrs({ young: true }), { allowBlocks: true }),
    ).toBe(0);
    let bitmap = new Uint32Array(16);
    const stats = newTestClearYoungStats();
    testClearYoung(pgt, b, b + 512, b + 511, bitmap, stats);
    expect([...bitmap].map((w, i) => (w ? `${i}:${w >>> 0}` : '')).join('')).toBe(`15:${2 ** 31}`); // only bit 511
    expect(stats).toMatchObject({ scanned: 1, young: 1, cleared: 0 });
    bitmap = new Uint32Array(4);
    bitmap[0] = 1 << 27; // bit 27 = lsbGfn - (b + 100) with lsbGfn = b + 127
    testClearYoung(pgt, b + 100, b + 128, b + 127, bitmap, stats);
    expect(bitmap[0]).toBe(0);
    expect(young(pgt, b)).toBe(false); // the whole block went old
    expect(young(pgt, b + 511)).toBe(false);
  });

  it('throws RangeError when a gfn of the range has no bit in the bitmap', () => {
    const g0 = 1 << 20;
    const pgt = setup(['young', 'old'], g0);
    expect(() => testClearYoung(pgt, g0, g0 + 2, g0, new Uint32Array(1))).toThrow(RangeError); // bit -1
    expect(() => testClearYoung(pgt, g0, g0 + 2, g0 + 32, new Uint32Array(1))).toThrow(RangeError); // bit 32
    expect(() => testClearYoung(pgt, g0, g0 + 2, g0 + 1, new Uint32Array(0))).toThrow(RangeError);
    expect(testClearYoung(pgt, g0, g0 + 2, g0 + 31, new Uint32Array(1))).toBe(true);
  });

  it('a lost cmpxchg (the PTE changed under us) leaves the PTE alone and is counted', () => {
    const g0 = 300;
    const pgt = setup(['young', 'young'], g0);
    const native = nativeAtomicOps();
    const w0 = stage2GetLeaf(pgt, g0 * PAGE_SIZE);
    // Just before our cmpxchg on gfn g0, a concurrent unmap starts break-before-make.
    const restore = setAtomicOps({
      compareExchange: (a, i, e, r) => {
        if (i === w0 && (e & S2_AF) !== 0) native.store(a, i, KVM_INVALID_PTE_LOCKED);
        return native.compareExchange(a, i, e, r);
      },
    });
    const stats = newTestClearYoungStats();
    const bitmap = new Uint32Array([0b11]);
    try {
      testClearYoung(pgt, g0, g0 + 2, g0 + 1, bitmap, stats);
    } finally {
      restore();
    }
    expect(pgt.views.i32[w0]).toBe(KVM_INVALID_PTE_LOCKED);
    expect(young(pgt, g0 + 1)).toBe(false);
    expect(bitmap[0]).toBe(0);
    expect(stats).toEqual({ scanned: 2, young: 2, cleared: 1, casFailures: 1 });
  });
});
