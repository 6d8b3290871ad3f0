import { describe, it, expect } from 'vitest';
import { createArena, descriptorWord, TABLE_WORDS } from '../../engine/core/layout.ts';
import {
  POISON,
  allocTablePage,
  arenaStats,
  freeTablePage,
  pageAllocated,
  pageGeneration,
  ptePoisoned,
  tableLive,
  tableLiveAdd,
  tableUsable,
} from '../../engine/core/arch/arena.ts';

describe('table-page allocator', () => {
  it('bumps, reuses freed pages LIFO, and refuses when full', () => {
    const v = createArena({ tablePages: 4, maxThreads: 1, maxLocks: 1 });
    expect([0, 1, 2, 3].map(() => allocTablePage(v))).toEqual([0, 1, 2, 3]);
    expect(allocTablePage(v)).toBe(-1);
    freeTablePage(v, 2);
    freeTablePage(v, 0);
    expect(allocTablePage(v)).toBe(0);
    expect(allocTablePage(v)).toBe(2);
    expect(allocTablePage(v)).toBe(-1);
    expect(arenaStats(v)).toMatchObject({
      inUse: 4,
      highWater: 4,
      allocs: 6,
      frees: 2,
      failures: 2,
      uaf: 0,
      poisonReads: 0,
    });
  });

  it('tracks allocated state and generation per page; double free throws', () => {
    const v = createArena({ tablePages: 2, maxThreads: 1, maxLocks: 1 });
    const p = allocTablePage(v);
    expect(pageAllocated(v, p)).toBe(true);
    expect(pageGeneration(v, p)).toBe(0);
    freeTablePage(v, p);
    expect(pageAllocated(v, p)).toBe(false);
    expect(pageGeneration(v, p)).toBe(1);
    expect(() => freeTablePage(v, p)).toThrow(/double free/);
    expect(() => freeTablePage(v, 7)).toThrow(RangeError);
    expect(allocTablePage(v)).toBe(p);
    expect(pageGeneration(v, p)).toBe(1);
  });

  it('hands out zeroed pages even when the page was dirty', () => {
    const v = createArena({ tablePages: 1, maxThreads: 1, maxLocks: 1 });
    const p = allocTablePage(v);
    const w = descriptorWord(v, p, 0);
    v.i32.fill(-1, w, w + TABLE_WORDS);
    tableLiveAdd(v, p, 5);
    freeTablePage(v, p);
    expect(allocTablePage(v)).toBe(p);
    expect(v.i32.subarray(w, w + TABLE_WORDS).every((x) => x === 0)).toBe(true);
    expect(tableLive(v, p)).toBe(0);
  });

  it('debug mode: poisons freed pages and counts use-after-free and poison reads', () => {
    const v = createArena({ tablePages: 2, maxThreads: 1, maxLocks: 1, debugPoison: true });
    const p = allocTablePage(v);
    expect(tableUsable(v, p)).toBe(true);
    freeTablePage(v, p);
    const w = descriptorWord(v, p, 0);
    expect(v.i32.subarray(w, w + TABLE_WORDS).every((x) => x === POISON)).toBe(true);
    expect(tableUsable(v, p)).toBe(false);
    expect(tableUsable(v, 99)).toBe(false);
    expect(ptePoisoned(v, v.i32[w + 10])).toBe(true);
    expect(ptePoisoned(v, 0)).toBe(false);
    expect(arenaStats(v)).toMatchObject({ uaf: 2, poisonReads: 1 });
  });

  it('non-debug mode: no poison and no counting (the checks cost nothing)', () => {
    const v = createArena({ tablePages: 2, maxThreads: 1, maxLocks: 1 });
    const p = allocTablePage(v);
    freeTablePage(v, p);
    const w = descriptorWord(v, p, 0);
    expect(v.i32[w]).toBe(0);
    expect(tableUsable(v, p)).toBe(true);
    expect(ptePoisoned(v, POISON)).toBe(false);
    expect(arenaStats(v)).toMatchObject({ uaf: 0, poisonReads: 0 });
  });

  it('keeps accounting consistent over a seeded alloc/free sequence', () => {
    const v = createArena({ tablePages: 64, maxThreads: 1, maxLocks: 1 });
    let s = 7;
    const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const held = new Set<number>();
    let high = 0;
    for (let i = 0; i < 5000; i++) {
      if (rnd() < 0.55) {
        const p = allocTablePage(v);
        if (held.size === 64) expect(p).toBe(-1);
        else {
          expect(held.has(p)).toBe(false);
          held.add(p);
        }
      } else if (held.size > 0) {
        const p = [...held][Math.floor(rnd() * held.size)];
        held.delete(p);
        freeTablePage(v, p);
      }
      high = Math.max(high, held.size);
      expect(arenaStats(v).inUse).toBe(held.size);
    }
    expect(arenaStats(v).highWater).toBe(high);
  });
});
