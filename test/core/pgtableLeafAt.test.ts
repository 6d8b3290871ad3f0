// Walk once (the lone trace replay, sim/replay.ts): mapLeafAt, unmapLeafAt and testClearYoungLeaf at a
// word a walk found must leave the arena exactly as the descents from the root (mapPage / unmapPage /
// testClearYoung) do, under their contracts: no table unlinked since the walk (stage2Unlinks), the
// leaf mapped since it was installed. Negative controls: the same shortcut taken against the contract
// (after an unlink) is seen by the comparison.
import { describe, expect, it } from 'vitest';
import { createArena, PAGE_SIZE, type ArenaViews } from '../../engine/core/layout.ts';
import { leafAttrs, type LeafAttrs } from '../../engine/core/arch/descriptor.ts';
import {
  directMmOps,
  getLeafMiss,
  mapLeafAt,
  stage2GetLeaf,
  stage2Map,
  stage2PgtInit,
  stage2Unlinks,
  stage2Unmap,
  unmapLeafAt,
  type Pgt,
} from '../../engine/core/arch/pgtable.ts';
import { newTestClearYoungStats, testClearYoung, testClearYoungLeaf } from '../../engine/core/arch/testClearYoung.ts';
import { rng } from '../rng.ts';
import { setAtomicOps, withHook } from '../../engine/core/sync/atomics.ts';
import { KVM_INVALID_PTE_LOCKED } from '../../engine/core/arch/descriptor.ts';

interface Side {
  v: ArenaViews;
  pgt: Pgt;
  log: string[];
}

function side(): Side {
  const v = createArena({ tablePages: 64, maxThreads: 1, maxLocks: 1 });
  const log: string[] = [];
  const mm = directMmOps(v);
  const pgt = stage2PgtInit(
    v,
    {
      allocTablePage: () => {
        const p = mm.allocTablePage();
        log.push(`alloc ${p}`);
        return p;
      },
      freeUnlinkedTable: (page, level) => {
        log.push(`freeUnlinked ${page} L${level}`);
        mm.freeUnlinkedTable(page, level);
      },
      tlbInvalidate: (addr, level) => log.push(`tlbi ${addr / PAGE_SIZE} L${level}`),
    },
    1, // a 39-bit IPA, as the replay's guests
  );
  return { v, pgt, log };
}

function firstDiff(a: Side, b: Side): number {
  for (let i = 0; i < a.v.i32.length; i++) if (a.v.i32[i] !== b.v.i32[i]) return i;
  return -1;
}

/** The leaf-at side's map: at the word its walk found when nothing was unlinked since, else mapPage. */
function mapAt(s: Side, g: number, frame: number, attrs: LeafAttrs, missWord: number, unlinks: number): number {
  if (missWord >= 0 && stage2Unlinks() === unlinks)
    return mapLeafAt(s.pgt, missWord, g, frame, attrs.lo, attrs.hi, true);
  return stage2Map(s.pgt, g * PAGE_SIZE, PAGE_SIZE, frame, attrs, { shared: true });
}

describe('walk once: leaf-at operations equal the descents', () => {
  for (const seed of [31, 32, 33]) {
    it(`seeded single-page sequence ${seed}`, () => {
      const a = side(); // descents
      const b = side(); // leaf-at, as the replay
      const rnd = rng(seed);
      const int = (n: number): number => Math.floor(rnd() * n);
      // Four level-3 tables straddling a level-2 table boundary: unmaps empty and unlink tables.
      const base = 2 ** 18 - 2 * 512;
      const span = 4 * 512;
      const leafOf = new Map<number, number>();
      const mapped: number[] = [];
      let atMaps = 0;
      let atUnmaps = 0;
      let atTcy = 0;
      for (let step = 0; step < 1500; step++) {
        const op = int(10);
        const pick = op >= 4 && mapped.length > 0 && rnd() < 0.9;
        const g = pick ? mapped[int(mapped.length)] : base + int(span);
        const frame = 2 ** 20 + g;
        const attrs = leafAttrs({ young: rnd() < 0.5, write: rnd() < 0.5 });
        a.log.length = 0;
        b.log.length = 0;
        let ra: string;
        let rb: string;
        if (op < 4) {
          if (leafOf.has(g)) continue; // the replay maps only what its walk found unmapped
          // Both sides walk first (the access), then unmap up to two other pages (direct reclaim),
          // then map.
          expect(stage2GetLeaf(a.pgt, g * PAGE_SIZE)).toBe(-1);
          expect(stage2GetLeaf(b.pgt, g * PAGE_SIZE)).toBe(-1);
          const missWord = getLeafMiss[1] === 3 ? getLeafMiss[0] : -1;
          const unlinks = stage2Unlinks();
          for (let k = int(3); k > 0 && mapped.length > 0; k--) {
            const victim = mapped.splice(int(mapped.length), 1)[0];
            stage2Unmap(a.pgt, victim * PAGE_SIZE, PAGE_SIZE);
            const w = leafOf.get(victim) as number;
            if (!unmapLeafAt(b.pgt, w, victim)) stage2Unmap(b.pgt, victim * PAGE_SIZE, PAGE_SIZE);
            else atUnmaps++;
            leafOf.delete(victim);
          }
          ra = String(stage2Map(a.pgt, g * PAGE_SIZE, PAGE_SIZE, frame, attrs, { shared: true }));
          if (missWord >= 0 && stage2Unlinks() === unlinks) atMaps++;
          rb = String(mapAt(b, g, frame, attrs, missWord, unlinks));
          if (rb === '0') {
            leafOf.set(g, stage2GetLeaf(b.pgt, g * PAGE_SIZE));
            mapped.push(g);
          }
        } else if (op < 7) {
          if (!leafOf.has(g)) continue;
          ra = String(stage2Unmap(a.pgt, g * PAGE_SIZE, PAGE_SIZE));
          const w = leafOf.get(g) as number;
          if (unmapLeafAt(b.pgt, w, g)) {
            atUnmaps++;
            rb = '0';
          } else rb = String(stage2Unmap(b.pgt, g * PAGE_SIZE, PAGE_SIZE));
          leafOf.delete(g);
          mapped.splice(mapped.indexOf(g), 1);
        } else {
          if (!leafOf.has(g)) continue;
          const bit = rnd() < 0.5 ? 1 : 0;
          const [bma, bmb] = [new Uint32Array([bit]), new Uint32Array([bit])];
          const [sta, stb] = [newTestClearYoungStats(), newTestClearYoungStats()];
          testClearYoung(a.pgt, g, g + 1, g, bma, sta);
          testClearYoungLeaf(b.pgt, leafOf.get(g) as number, g, g, bmb, stb);
          atTcy++;
          ra = `${bma[0]} ${JSON.stringify(sta)}`;
          rb = `${bmb[0]} ${JSON.stringify(stb)}`;
        }
        const tag = `seed ${seed} step ${step} op ${op} gfn ${g}`;
        expect(rb, tag).toBe(ra);
        expect(b.log, tag).toEqual(a.log);
        expect(firstDiff(a, b), `${tag}: first differing arena word`).toBe(-1);
      }
      // The sequence exercised every shortcut and also the fallbacks (tables emptied and unlinked).
      expect(atMaps).toBeGreaterThan(20);
      expect(atUnmaps).toBeGreaterThan(20);
      expect(atTcy).toBeGreaterThan(20);
      expect(stage2Unlinks()).toBeGreaterThan(0);
    });
  }

  it('unmapLeafAt leaves the last leaf of a table to unmapPage (which unlinks the table)', () => {
    const s = side();
    const g = 2 ** 18 + 7;
    const attrs = leafAttrs({ young: true, write: true });
    expect(stage2Map(s.pgt, g * PAGE_SIZE, PAGE_SIZE, 2 ** 20, attrs)).toBe(0);
    const w = stage2GetLeaf(s.pgt, g * PAGE_SIZE);
    const before = s.v.i32.slice();
    expect(unmapLeafAt(s.pgt, w, g)).toBe(false);
    expect(s.v.i32).toEqual(before); // nothing done
    const u0 = stage2Unlinks();
    expect(stage2Unmap(s.pgt, g * PAGE_SIZE, PAGE_SIZE)).toBe(0);
    expect(stage2Unlinks()).toBeGreaterThan(u0);
  });

  it('negative control: mapLeafAt after an unlink (against the contract) differs from mapPage', () => {
    const a = side();
    const b = side();
    const x = 2 ** 18 + 3;
    const y = 2 ** 18 + 9; // same level-3 table as x
    const attrs = leafAttrs({ young: false, write: false });
    for (const s of [a, b]) expect(stage2Map(s.pgt, x * PAGE_SIZE, PAGE_SIZE, 2 ** 20, attrs)).toBe(0);
    for (const s of [a, b]) expect(stage2GetLeaf(s.pgt, y * PAGE_SIZE)).toBe(-1);
    const missWord = getLeafMiss[0];
    expect(getLeafMiss[1]).toBe(3);
    const unlinks = stage2Unlinks();
    // Direct reclaim evicts x, the table's only page: the table is unlinked and freed.
    for (const s of [a, b]) expect(stage2Unmap(s.pgt, x * PAGE_SIZE, PAGE_SIZE)).toBe(0);
    expect(stage2Unlinks()).not.toBe(unlinks); // the guard the replay checks
    expect(stage2Map(a.pgt, y * PAGE_SIZE, PAGE_SIZE, 2 ** 20 + 1, attrs, { shared: true })).toBe(0);
    // The shortcut taken anyway writes into the unlinked table: y stays unmapped, the arenas differ.
    expect(mapLeafAt(b.pgt, missWord, y, 2 ** 20 + 1, attrs.lo, attrs.hi, true)).toBe(0);
    expect(stage2GetLeaf(b.pgt, y * PAGE_SIZE)).toBe(-1);
    expect(firstDiff(a, b)).toBeGreaterThanOrEqual(0);
    // With the guard (mapAt), the same sequence is identical.
    const c = side();
    expect(stage2Map(c.pgt, x * PAGE_SIZE, PAGE_SIZE, 2 ** 20, attrs)).toBe(0);
    expect(stage2GetLeaf(c.pgt, y * PAGE_SIZE)).toBe(-1);
    const w2 = getLeafMiss[0];
    const u2 = stage2Unlinks();
    expect(stage2Unmap(c.pgt, x * PAGE_SIZE, PAGE_SIZE)).toBe(0);
    expect(mapAt(c, y, 2 ** 20 + 1, attrs, w2, u2)).toBe(0);
    expect(firstDiff(a, c)).toBe(-1);
  });

  // mapLeafAt and unmapLeafAt write mapLeaf / installLeafAt / clearEntry out for the empty-entry and
  // live-table cases and leave the rest to out-of-line helpers (mapLeafRare, breakPte): every entry
  // state must give mapPage's result, arena, mm calls and the same atomics at the leaf (the descent's
  // own reads are the prefix mapPage adds: compared from the leaf word's first load on). Negative
  // control, run by hand: mapLeafRare returning 0 without installLeafAt fails (EAGAIN expected for the
  // spurious fault); an extra atomics.load in mapLeafAt's fast path fails 'an empty entry' (atomics).
  it('leaf-at rare paths equal mapPage: spurious fault, live leaf replaced, LOCKED entry, empty entry', () => {
    const g = 2 ** 18 + 5;
    const other = 2 ** 18 + 6; // keeps the table live
    const attrs = leafAttrs({ young: true, write: false });
    const attrsW = leafAttrs({ young: true, write: true });
    type Prep = (s: Side, w: number) => void;
    const cases: [string, Prep, LeafAttrs][] = [
      ['a spurious fault', () => {}, attrs],
      ['a live leaf replaced', () => {}, attrsW],
      ['a LOCKED entry', (s, w) => (s.v.i32[w] = KVM_INVALID_PTE_LOCKED), attrs],
      ['an empty entry', (s) => stage2Unmap(s.pgt, g * PAGE_SIZE, PAGE_SIZE), attrs],
    ];
    for (const [name, prep, at] of cases) {
      const a = side();
      const b = side();
      const ops: string[][] = [[], []];
      const w = [0, 0];
      [a, b].forEach((s, i) => {
        expect(stage2Map(s.pgt, other * PAGE_SIZE, PAGE_SIZE, 2 ** 20 + 1, attrs)).toBe(0);
        expect(stage2Map(s.pgt, g * PAGE_SIZE, PAGE_SIZE, 2 ** 20, attrs)).toBe(0);
        w[i] = stage2GetLeaf(s.pgt, g * PAGE_SIZE);
        prep(s, w[i]);
        s.log.length = 0;
      });
      const r: number[] = [];
      const restore = setAtomicOps(
        withHook(() => {}, {
          ...Object.fromEntries(
            (['load', 'readOnce', 'store', 'compareExchange', 'add'] as const).map((k) => [
              k,
              (arr: Int32Array, i: number, x?: number, y?: number) => {
                ops[cur].push(`${k} ${i - (arr === a.v.i32 || arr === b.v.i32 ? w[cur] : 0)}`);
                return k === 'load'
                  ? Atomics.load(arr, i)
                  : k === 'readOnce'
                    ? arr[i]
                    : k === 'store'
                      ? Atomics.store(arr, i, x as number)
                      : k === 'add'
                        ? Atomics.add(arr, i, x as number)
                        : Atomics.compareExchange(arr, i, x as number, y as number);
              },
            ]),
          ),
        } as never),
      );
      let cur = 0;
      try {
        r.push(stage2Map(a.pgt, g * PAGE_SIZE, PAGE_SIZE, 2 ** 20, at, { shared: true }));
        cur = 1;
        r.push(mapLeafAt(b.pgt, w[1], g, 2 ** 20, at.lo, at.hi, true));
      } finally {
        restore();
      }
      const fromLeaf = (o: string[]): string[] => o.slice(o.indexOf('load 0'));
      expect(r[1], name).toBe(r[0]);
      expect(b.log, name).toEqual(a.log);
      expect(fromLeaf(ops[1]), name).toEqual(fromLeaf(ops[0]));
      expect(firstDiff(a, b), name).toBe(-1);
    }
  });
});
