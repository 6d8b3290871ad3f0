import { describe, it, expect } from 'vitest';
import { createArena, PAGE_SIZE, type ArenaViews } from '../../engine/core/layout.ts';
import {
  POISON,
  arenaStats,
  allocTablePage,
  freeTablePage,
  tableLive,
  tableLiveAdd,
} from '../../engine/core/arch/arena.ts';
import {
  KVM_INVALID_PTE_LOCKED,
  leafAttrs,
  makeTable,
  pteIsTable,
  pteValid,
  pteWritable,
  pteYoung,
} from '../../engine/core/arch/descriptor.ts';
import {
  EAGAIN,
  ENOMEM,
  directMmOps,
  stage2GetLeaf,
  stage2LeafFrame,
  stage2Map,
  stage2Mkold,
  stage2Mkyoung,
  stage2PgtDestroy,
  stage2PgtInit,
  stage2SetWritable,
  stage2Unmap,
  setStage2FastPaths,
  type LeafOut,
  type MmOps,
  type Pgt,
} from '../../engine/core/arch/pgtable.ts';
import { newTestClearYoungStats, testClearYoung } from '../../engine/core/arch/testClearYoung.ts';
import { LEAF, TABLE_POST, TABLE_PRE, walk } from '../../engine/core/arch/walker.ts';
import { nativeAtomicOps, setAtomicOps } from '../../engine/core/sync/atomics.ts';
import { rng } from '../rng.ts';

/** Slow reference: gfn -> the leaf (a 4K page or a 2 MiB block shared by 512 gfns) mapping it. */
interface Leaf {
  start: number;
  size: number;
  frame: number;
  young: boolean;
  writable: boolean;
}

class RefModel {
  readonly m = new Map<number, Leaf>();
  /** Replace every leaf overlapping [s, e) that sticks out of it by single pages (a block split). */
  private split(s: number, e: number): void {
    for (const g of [s, e - 1]) {
      const l = this.m.get(g);
      if (!l || l.size === 1 || (l.start >= s && l.start + l.size <= e)) continue;
      for (let i = 0; i < l.size; i++)
        this.m.set(l.start + i, { ...l, start: l.start + i, size: 1, frame: l.frame + i });
    }
  }
  map(s: number, n: number, frame: number, young: boolean, writable: boolean, allowBlocks: boolean): void {
    this.split(s, s + n);
    for (let g = s; g < s + n;) {
      const chunk = g - (g % 512);
      const f = frame + (g - s);
      if (allowBlocks && g === chunk && g + 512 <= s + n && f % 512 === 0) {
        const l = { start: g, size: 512, frame: f, young, writable };
        for (let i = 0; i < 512; i++) this.m.set(g + i, l);
        g += 512;
      } else {
        this.m.set(g, { start: g, size: 1, frame: f, young, writable });
        g++;
      }
    }
  }
  unmap(s: number, e: number): void {
    this.split(s, e);
    for (let g = s; g < e; g++) this.m.delete(g);
  }
}

function tableCheck(pgt: Pgt): { tables: number; bad: string[] } {
  // Every reachable table: non-empty (except the root) and its live count equals its non-empty entries.
  let tables = 1;
  const bad: string[] = [];
  const counts = new Map<number, number>();
  walk(pgt, 0, pgt.ipaSize, {
    flags: LEAF | TABLE_PRE | TABLE_POST,
    arg: null,
    cb: (ctx, visit) => {
      if (visit === TABLE_PRE) tables++;
      if (visit !== TABLE_PRE && ctx.oldLo !== 0) counts.set(ctx.page, (counts.get(ctx.page) ?? 0) + 1);
      if (visit === TABLE_POST) {
        const child = ctx.oldLo >>> 12;
        if ((counts.get(child) ?? 0) !== tableLive(ctx.views, child)) bad.push(`live count of page ${child}`);
        if (tableLive(ctx.views, child) === 0) bad.push(`empty table ${child} still linked`);
      }
      return 0;
    },
  });
  return { tables, bad };
}

function compare(pgt: Pgt, ref: RefModel, touched: Iterable<number>): string[] {
  const out: LeafOut = { level: -1 };
  const errs: string[] = [];
  const i32 = pgt.views.i32;
  for (const g of touched) {
    const w = stage2GetLeaf(pgt, g * PAGE_SIZE, out);
    const l = ref.m.get(g);
    if (!l) {
      if (w >= 0) errs.push(`gfn ${g}: mapped, reference says unmapped`);
      continue;
    }
    if (w < 0) {
      errs.push(`gfn ${g}: unmapped, reference says mapped`);
      continue;
    }
    const lo = i32[w];
    const level = l.size === 1 ? 3 : 2;
    const frame = stage2LeafFrame(pgt.views, w, out.level, g * PAGE_SIZE);
    if (
      out.level !== level ||
      frame !== l.frame + (g - l.start) ||
      pteYoung(lo) !== l.young ||
      pteWritable(lo) !== l.writable
    ) {
      const got = { level: out.level, frame, young: pteYoung(lo), writable: pteWritable(lo) };
      const want = { level, frame: l.frame + (g - l.start), young: l.young, writable: l.writable };
      errs.push(`gfn ${g}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
    }
    if (errs.length > 5) break;
  }
  return errs;
}

function newPgt(v: ArenaViews, startLevel = 0): Pgt {
  return stage2PgtInit(v, directMmOps(v), startLevel);
}

describe('stage-2 tables against a slow reference model', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seeded operation sequence ${seed}`, () => {
      const v = createArena({ tablePages: 512, maxThreads: 1, maxLocks: 1, debugPoison: seed % 2 === 0 });
      const pgt = newPgt(v);
      const ref = new RefModel();
      const rnd = rng(seed);
      const int = (n: number): number => Math.floor(rnd() * n);
      // 32 MiB window high in the IPA: gfns above 2^32 exercise index arithmetic beyond 32 bits.
      const base = 2 ** 34 + (seed === 1 ? 0 : 2 ** 27 - 4 * 512); // seed 2..4 straddle a level-0 boundary
      const span = 16 * 512;
      const touched = new Set<number>();
      const touch = (s: number, n: number): void => {
        for (let i = 0; i < n; i++) touched.add(s + i);
      };
      for (let step = 0; step < 250; step++) {
        const op = int(10);
        const g = base + int(span);
        let desc: string;
        if (op <= 1) {
          const n = 1 + int(op === 0 ? 4 : 700);
          const s = Math.min(g, base + span - n);
          const frame = 2 ** 33 + int(2 ** 20);
          const young = rnd() < 0.5;
          const writable = rnd() < 0.5;
          expect(stage2Map(pgt, s * PAGE_SIZE, n * PAGE_SIZE, frame, leafAttrs({ young, write: writable }))).toBe(0);
          ref.map(s, n, frame, young, writable, false);
          touch(s, n);
          desc = `map4k ${s}+${n}`;
        } else if (op <= 3) {
          const chunks = 1 + int(2);
          const s = base + int(span / 512 - chunks) * 512 + (op === 3 ? int(3) * 100 : 0); // op 3: unaligned start
          const n = chunks * 512;
          const frame = (2 ** 24 + int(2 ** 12)) * 512 - (s % 512);
          const young = rnd() < 0.5;
          const writable = rnd() < 0.5;
          expect(
            stage2Map(pgt, s * PAGE_SIZE, n * PAGE_SIZE, frame, leafAttrs({ young, write: writable }), {
              allowBlocks: true,
            }),
          ).toBe(0);
          ref.map(s, n, frame, young, writable, true);
          touch(s, n);
          desc = `mapBlock ${s}+${n}`;
        } else if (op <= 5) {
          const n = 1 + int(op === 4 ? 8 : 1100);
          const s = Math.min(g, base + span - n);
          expect(stage2Unmap(pgt, s * PAGE_SIZE, n * PAGE_SIZE)).toBe(0);
          ref.unmap(s, s + n);
          desc = `unmap ${s}+${n}`;
        } else if (op === 6) {
          const l = ref.m.get(g);
          expect(stage2Mkyoung(pgt, g * PAGE_SIZE)).toBe(!!l && !l.young);
          if (l) l.young = true;
          desc = `mkyoung ${g}`;
        } else if (op <= 8) {
          const l = ref.m.get(g);
          expect(stage2Mkold(pgt, g * PAGE_SIZE)).toBe(!!l && l.young);
          if (l) l.young = false;
          desc = `mkold ${g}`;
        } else {
          const l = ref.m.get(g);
          expect(stage2SetWritable(pgt, g * PAGE_SIZE)).toBe(!!l && !l.writable);
          if (l) l.writable = true;
          desc = `setWritable ${g}`;
        }
        expect(compare(pgt, ref, touched), `step ${step}: ${desc}`).toEqual([]);
        const { tables, bad } = tableCheck(pgt);
        expect(bad, `step ${step}: ${desc}`).toEqual([]);
        expect(arenaStats(v).inUse, `step ${step}: table pages in use vs reachable`).toBe(tables);
      }
      expect(stage2Unmap(pgt, base * PAGE_SIZE, span * PAGE_SIZE)).toBe(0);
      expect(compare(pgt, new RefModel(), touched)).toEqual([]);
      expect(arenaStats(v).inUse).toBe(1);
      stage2PgtDestroy(pgt);
      expect(arenaStats(v)).toMatchObject({ inUse: 0, uaf: 0, poisonReads: 0 });
    });
  }
});

describe('blocks', () => {
  it('splits a 1 GiB block into 2 MiB blocks and 4K pages on a partial unmap', () => {
    const v = createArena({ tablePages: 16, maxThreads: 1, maxLocks: 1 });
    const pgt = newPgt(v);
    const g0 = 3 * 2 ** 18;
    const frame = 5 * 2 ** 18;
    expect(stage2Map(pgt, g0 * PAGE_SIZE, 2 ** 30, frame, leafAttrs({ young: true }), { allowBlocks: true })).toBe(0);
    const out = { level: -1 };
    expect(stage2GetLeaf(pgt, (g0 + 12345) * PAGE_SIZE, out)).toBeGreaterThan(0);
    expect(out.level).toBe(1);
    expect(arenaStats(v).inUse).toBe(2); // root + one level-1 table
    const hole = g0 + 7 * 512 + 3;
    expect(stage2Unmap(pgt, hole * PAGE_SIZE, PAGE_SIZE)).toBe(0);
    expect(stage2GetLeaf(pgt, hole * PAGE_SIZE)).toBe(-1);
    const at = (g: number): [number, number] => {
      const w = stage2GetLeaf(pgt, g * PAGE_SIZE, out);
      return [out.level, stage2LeafFrame(v, w, out.level, g * PAGE_SIZE)];
    };
    expect(at(hole + 1)).toEqual([3, frame + (hole + 1 - g0)]);
    expect(at(g0 + 7 * 512)).toEqual([3, frame + 7 * 512]);
    expect(at(g0 + 8 * 512 + 9)).toEqual([2, frame + 8 * 512 + 9]);
    expect(at(g0 + 2 ** 18 - 1)).toEqual([2, frame + 2 ** 18 - 1]);
    expect(arenaStats(v).inUse).toBe(4);
    expect(stage2Unmap(pgt, g0 * PAGE_SIZE, 2 ** 30)).toBe(0);
    expect(arenaStats(v).inUse).toBe(1);
  });

  it('replaces 4K pages by a block, unlinking the table they used', () => {
    const v = createArena({ tablePages: 16, maxThreads: 1, maxLocks: 1 });
    const pgt = newPgt(v);
    expect(stage2Map(pgt, 0, 4 * PAGE_SIZE, 100, leafAttrs())).toBe(0);
    expect(arenaStats(v).inUse).toBe(4);
    expect(stage2Map(pgt, 0, 512 * PAGE_SIZE, 1024, leafAttrs(), { allowBlocks: true })).toBe(0);
    expect(arenaStats(v).inUse).toBe(3);
    const out = { level: -1 };
    const w = stage2GetLeaf(pgt, 2 * PAGE_SIZE, out);
    expect([out.level, stage2LeafFrame(v, w, 2, 2 * PAGE_SIZE)]).toEqual([2, 1026]);
  });
});

describe('break-before-make and races', () => {
  it('invalidates the TLB only while the entry reads as invalid', () => {
    const v = createArena({ tablePages: 16, maxThreads: 1, maxLocks: 1 });
    const seen: boolean[] = [];
    const mm = directMmOps(v);
    const pgt = stage2PgtInit(v, mm);
    mm.tlbInvalidate = (addr) => seen.push(stage2GetLeaf(pgt, addr) === -1);
    expect(stage2Map(pgt, 0, 1024 * PAGE_SIZE, 0, leafAttrs(), { allowBlocks: true })).toBe(0);
    expect(stage2Map(pgt, 0, 1024 * PAGE_SIZE, 4096, leafAttrs(), { allowBlocks: true })).toBe(0); // replace: 2
    expect(stage2Unmap(pgt, 3 * PAGE_SIZE, 2 * PAGE_SIZE)).toBe(0); // split 1 + 2 pages
    expect(stage2Unmap(pgt, 0, 1024 * PAGE_SIZE)).toBe(0); // 510 pages + table unlink + block + L2, L1 unlinks
    expect(seen.length).toBe(2 + 1 + 2 + 510 + 1 + 1 + 2);
    expect(seen.every(Boolean)).toBe(true);
    expect(arenaStats(v).inUse).toBe(1);
  });

  it('shared map: EAGAIN on a LOCKED entry and on a spurious fault; ENOMEM when the arena is full', () => {
    const v = createArena({ tablePages: 4, maxThreads: 1, maxLocks: 1 });
    const pgt = newPgt(v);
    const a = leafAttrs();
    expect(stage2Map(pgt, 0, PAGE_SIZE, 7, a, { shared: true })).toBe(0);
    expect(stage2Map(pgt, 0, PAGE_SIZE, 7, leafAttrs({ young: false }), { shared: true })).toBe(EAGAIN);
    const w = stage2GetLeaf(pgt, 0);
    v.i32[w + 2] = KVM_INVALID_PTE_LOCKED; // another writer is mid break-before-make on gfn 1
    expect(stage2Map(pgt, PAGE_SIZE, PAGE_SIZE, 9, a, { shared: true })).toBe(EAGAIN);
    v.i32[w + 2] = 0;
    expect(stage2Map(pgt, PAGE_SIZE, PAGE_SIZE, 9, a, { shared: true })).toBe(0);
    expect(stage2Map(pgt, 2 ** 40, PAGE_SIZE, 9, a)).toBe(ENOMEM); // needs 3 more pages; the arena is full
    expect(arenaStats(v).failures).toBe(1);
  });

  it('shared map: the loser of a table-install race frees its page and uses the winner’s table', () => {
    const v = createArena({ tablePages: 8, maxThreads: 1, maxLocks: 1 });
    const pgt = newPgt(v);
    const native = nativeAtomicOps();
    let raced = false;
    const restore = setAtomicOps({
      compareExchange: (arr, i, e, r) => {
        if (!raced && e === 0 && pteIsTable(r, 0)) {
          raced = true; // another vCPU installs its own table first
          const p = allocTablePage(v);
          native.store(arr, i, makeTable(p));
          tableLiveAdd(v, pgt.root, 1);
        }
        return native.compareExchange(arr, i, e, r);
      },
    });
    try {
      expect(stage2Map(pgt, 0, PAGE_SIZE, 42, leafAttrs(), { shared: true })).toBe(0);
    } finally {
      restore();
    }
    expect(raced).toBe(true);
    const w = stage2GetLeaf(pgt, 0);
    expect(stage2LeafFrame(v, w, 3, 0)).toBe(42);
    expect(arenaStats(v)).toMatchObject({ inUse: 4, frees: 1 });
  });
});

function pgtLeafPage(pgt: Pgt, addr: number): number {
  const w = stage2GetLeaf(pgt, addr);
  return Math.floor((w - pgt.views.tables) / 1024);
}

describe('IPA size and debug checks', () => {
  it('a 39-bit table (start level 1) maps, walks and rejects addresses beyond 512 GiB', () => {
    const v = createArena({ tablePages: 8, maxThreads: 1, maxLocks: 1 });
    const pgt = newPgt(v, 1);
    const top = 2 ** 39 - PAGE_SIZE;
    expect(stage2Map(pgt, top, PAGE_SIZE, 99, leafAttrs())).toBe(0);
    const w = stage2GetLeaf(pgt, top);
    expect(pteValid(v.i32[w])).toBe(true);
    expect(stage2LeafFrame(v, w, 3, top)).toBe(99);
    expect(stage2GetLeaf(pgt, 2 ** 39)).toBe(-1);
    expect(() => stage2Map(pgt, 2 ** 39, PAGE_SIZE, 1, leafAttrs())).toThrow(RangeError);
    expect(() => stage2Unmap(pgt, 5, PAGE_SIZE)).toThrow(RangeError);
  });

  it('debug arena: a walker that reaches a freed table page counts a use-after-free', () => {
    const v = createArena({ tablePages: 8, maxThreads: 1, maxLocks: 1, debugPoison: true });
    const pgt = newPgt(v);
    expect(stage2Map(pgt, 0, PAGE_SIZE, 1, leafAttrs())).toBe(0);
    const leafPage = pgtLeafPage(pgt, 0);
    expect(stage2Unmap(pgt, 0, PAGE_SIZE)).toBe(0); // directMmOps frees at once: no grace period
    const stale: Pgt = { ...pgt, root: leafPage, startLevel: 3 as number } as Pgt;
    expect(stage2GetLeaf(stale, 0)).toBe(-1);
    expect(arenaStats(v).uaf).toBe(1);
    expect(v.i32[v.tables + leafPage * 1024]).not.toBe(0); // poisoned
  });
});

// ---- single-page fast paths (pgtableFast.ts, pgtableAccess.ts) ---------------------------

/** MmOps over the arena (immediate frees) that log every call, and check break-before-make at each TLBI. */
function loggingMmOps(v: ArenaViews, log: string[], pgtRef: { pgt: Pgt | null }): MmOps {
  const mm = directMmOps(v);
  return {
    allocTablePage: () => {
      const p = mm.allocTablePage();
      log.push(`alloc ${p}`);
      return p;
    },
    freeUnlinkedTable: (page, level) => {
      log.push(`freeUnlinked ${page} L${level}`);
      mm.freeUnlinkedTable(page, level);
    },
    freeTablePage: (page) => {
      log.push(`freeNeverPublished ${page}`);
      freeTablePage(v, page);
    },
    tlbInvalidate: (addr, level) => {
      const invalid = pgtRef.pgt === null || stage2GetLeaf(pgtRef.pgt, addr) === -1;
      log.push(`tlbi ${addr / PAGE_SIZE} L${level}${invalid ? '' : ' WHILE VALID'}`);
    },
  };
}

/** Word of the entry at `level` (or the deepest reachable) on the path to gfn, by the generic walk. */
function entryAt(pgt: Pgt, gfn: number, level: number): { word: number; level: number; lo: number } {
  const r = { word: -1, level: -1, lo: 0 };
  walk(pgt, gfn * PAGE_SIZE, PAGE_SIZE, {
    flags: LEAF | TABLE_PRE,
    arg: null,
    cb: (ctx) => {
      if (ctx.level <= level) Object.assign(r, { word: ctx.word, level: ctx.level, lo: ctx.oldLo });
      return 0;
    },
  });
  return r;
}

describe('single-page fast paths', () => {
  for (const seed of [11, 12, 13, 14]) {
    it(`single-page-heavy sequence against the reference model ${seed}`, () => {
      const v = createArena({ tablePages: 256, maxThreads: 1, maxLocks: 1, debugPoison: seed % 2 === 0 });
      const log: string[] = [];
      const holder: { pgt: Pgt | null } = { pgt: null };
      const pgt = stage2PgtInit(v, loggingMmOps(v, log, holder));
      holder.pgt = pgt;
      const ref = new RefModel();
      const rnd = rng(seed);
      const int = (n: number): number => Math.floor(rnd() * n);
      // 3 MiB straddling a level-0 (odd seeds) or level-1 (even) boundary: single-page unmaps
      // empty and unlink tables at every level.
      const base = seed % 2 ? 2 ** 27 - 3 * 512 : 5 * 2 ** 18 - 3 * 512;
      const span = 6 * 512;
      const touched = new Set<number>();
      const attrsOf = (): { young: boolean; writable: boolean } => ({ young: rnd() < 0.5, writable: rnd() < 0.5 });
      let singles = 0;
      for (let step = 0; step < 400; step++) {
        const op = int(20);
        const g = base + int(span);
        const l = ref.m.get(g);
        log.length = 0;
        let desc: string;
        if (op <= 4) {
          const { young, writable } = attrsOf();
          const frame = 2 ** 33 + int(2 ** 20);
          const shared = op <= 1;
          expect(
            stage2Map(pgt, g * PAGE_SIZE, PAGE_SIZE, frame, leafAttrs({ young, write: writable }), { shared }),
          ).toBe(0);
          ref.map(g, 1, frame, young, writable, false);
          touched.add(g);
          desc = `map1 ${g}${shared ? ' shared' : ''}`;
          singles++;
        } else if (op === 5 && l && l.size === 1) {
          // A spurious shared fault: the same frame and attributes but AF/W are already there.
          const attrs = leafAttrs({ young: !l.young, write: !l.writable });
          expect(stage2Map(pgt, g * PAGE_SIZE, PAGE_SIZE, l.frame, attrs, { shared: true })).toBe(EAGAIN);
          desc = `map1 ${g} spurious`;
        } else if (op <= 10) {
          expect(stage2Unmap(pgt, g * PAGE_SIZE, PAGE_SIZE)).toBe(0);
          // A page: its own TLBI first. A block: split first (a new table), the block's TLBI.
          const tlbi = log.filter((e) => e.startsWith('tlbi'));
          if (l) expect(tlbi[0], `unmap1 ${g}`).toBe(l.size === 1 ? `tlbi ${g} L3` : `tlbi ${l.start} L2`);
          if (l && l.size === 1) expect(log[0], `unmap1 ${g}`).toBe(`tlbi ${g} L3`);
          ref.unmap(g, g + 1);
          desc = `unmap1 ${g}`;
          singles++;
        } else if (op <= 12) {
          expect(stage2Mkold(pgt, g * PAGE_SIZE)).toBe(!!l && l.young);
          if (l) l.young = false;
          desc = `mkold1 ${g}`;
          singles++;
        } else if (op <= 14) {
          const ask = rnd() < 0.5;
          const bitmap = new Uint32Array([ask ? 1 : 0]);
          const st = newTestClearYoungStats();
          testClearYoung(pgt, g, g + 1, g, bitmap, st);
          const young = !!l && l.young;
          expect(st).toEqual({ scanned: 1, young: young ? 1 : 0, cleared: young && ask ? 1 : 0, casFailures: 0 });
          expect(bitmap[0]).toBe(young ? (ask ? 0 : 1) : ask ? 1 : 0);
          if (l && ask) l.young = false;
          desc = `testClearYoung1 ${g}`;
          singles++;
        } else if (op === 15) {
          const n = 2 + int(700);
          const s = Math.min(g, base + span - n);
          const frame = 2 ** 33 + int(2 ** 20);
          const { young, writable } = attrsOf();
          expect(stage2Map(pgt, s * PAGE_SIZE, n * PAGE_SIZE, frame, leafAttrs({ young, write: writable }))).toBe(0);
          ref.map(s, n, frame, young, writable, false);
          for (let i = 0; i < n; i++) touched.add(s + i);
          desc = `map ${s}+${n}`;
        } else if (op === 16) {
          const s = base + int(span / 512 - 1) * 512 + (rnd() < 0.5 ? 0 : int(3) * 100);
          const n = 512 + int(2) * 512;
          const frame = (2 ** 24 + int(2 ** 12)) * 512 - (s % 512);
          const { young, writable } = attrsOf();
          const shared = rnd() < 0.3;
          const attrs = leafAttrs({ young, write: writable });
          expect(stage2Map(pgt, s * PAGE_SIZE, n * PAGE_SIZE, frame, attrs, { allowBlocks: !shared, shared })).toBe(0);
          ref.map(s, n, frame, young, writable, !shared);
          for (let i = 0; i < n; i++) touched.add(s + i);
          desc = `mapBlock ${s}+${n}`;
        } else if (op === 17) {
          const n = 2 + int(1100);
          const s = Math.min(g, base + span - n);
          expect(stage2Unmap(pgt, s * PAGE_SIZE, n * PAGE_SIZE)).toBe(0);
          ref.unmap(s, s + n);
          desc = `unmap ${s}+${n}`;
        } else if (op === 18) {
          expect(stage2Mkyoung(pgt, g * PAGE_SIZE)).toBe(!!l && !l.young);
          if (l) l.young = true;
          desc = `mkyoung ${g}`;
        } else {
          expect(stage2SetWritable(pgt, g * PAGE_SIZE)).toBe(!!l && !l.writable);
          if (l) l.writable = true;
          desc = `setWritable ${g}`;
        }
        expect(compare(pgt, ref, touched), `step ${step}: ${desc}`).toEqual([]);
        const { tables, bad } = tableCheck(pgt);
        expect(bad, `step ${step}: ${desc}`).toEqual([]);
        expect(arenaStats(v).inUse, `step ${step}: ${desc}: table pages in use vs reachable`).toBe(tables);
        expect(
          log.filter((e) => e.endsWith('WHILE VALID')),
          `step ${step}: ${desc}`,
        ).toEqual([]);
      }
      expect(singles).toBeGreaterThan(250);
      // Unmap page by page: the last one of each table unlinks it, up to the root.
      for (const g of [...touched].sort((a, b) => a - b)) expect(stage2Unmap(pgt, g * PAGE_SIZE, PAGE_SIZE)).toBe(0);
      expect(compare(pgt, new RefModel(), touched)).toEqual([]);
      expect(arenaStats(v).inUse).toBe(1);
      stage2PgtDestroy(pgt);
      expect(arenaStats(v)).toMatchObject({ inUse: 0, uaf: 0, poisonReads: 0 });
    });
  }

  // The same operations with the fast paths on and off (the generic walk) must leave bit-identical
  // arenas (tables, live counts, allocator and debug counters), return the same values or throw the
  // same errors, and make the same MmOps calls in the same order. Includes a tight arena (ENOMEM
  // leaves empty tables linked), 39-bit tables, and injected LOCKED, poisoned and dangling entries.
  for (const seed of [21, 22, 23, 24]) {
    it(`fast paths and the generic walk are indistinguishable ${seed}`, () => {
      const debugPoison = seed % 2 === 0;
      const startLevel = seed >= 23 ? 1 : 0;
      const tablePages = seed === 22 ? 8 : seed === 23 ? 6 : 64;
      const sides = [true, false].map((fast) => {
        const v = createArena({ tablePages, maxThreads: 1, maxLocks: 1, debugPoison });
        const log: string[] = [];
        const holder: { pgt: Pgt | null } = { pgt: null };
        const pgt = stage2PgtInit(v, loggingMmOps(v, log, holder), startLevel);
        holder.pgt = pgt;
        return { fast, v, log, pgt };
      });
      const rnd = rng(seed);
      const int = (n: number): number => Math.floor(rnd() * n);
      const base = startLevel === 1 ? 2 ** 18 - 2 * 512 : 2 ** 27 - 2 * 512;
      const span = 4 * 512;
      const outcome = (fn: () => unknown): string => {
        try {
          return `=${String(fn())}`;
        } catch (e) {
          return `throw ${(e as Error).message}`;
        }
      };
      let fastOps = 0;
      // Single-page unmaps mostly pick a page mapped before, so that they empty (and unlink) tables.
      const mapped: number[] = [];
      for (let step = 0; step < 500; step++) {
        const op = int(17);
        const pick = op >= 4 && op <= 7 && mapped.length > 0 && rnd() < 0.8;
        const g = pick ? mapped.splice(int(mapped.length), 1)[0] : base + int(span);
        if (op <= 3) mapped.push(g);
        const young = rnd() < 0.5;
        const attrs = leafAttrs({ young, write: rnd() < 0.5 });
        const frame = 2 ** 30 + int(2 ** 12);
        const shared = rnd() < 0.5;
        const bit = rnd() < 0.5 ? 1 : 0;
        const n = 2 + int(rnd() < 0.2 ? 600 : 24);
        const s = Math.min(g, base + span - n);
        const blockStart = base + int(span / 512) * 512;
        // Every 20th step plants a foreign entry; poison and dangling links need a debug arena.
        const inject = step % 20 !== 19 ? -1 : debugPoison ? Math.floor(step / 20) % 3 : 0;
        // A dangling link goes in an empty level-2 entry just above the span (its table exists).
        const gi = inject === 2 ? base + span + 512 * (1 + int(4)) + int(512) : g;
        let injected = -1;
        const results = sides.map(({ fast, v, log, pgt }) => {
          log.length = 0;
          const was = setStage2FastPaths(fast);
          try {
            if (inject >= 0) {
              // Plant the same foreign entry in both arenas: LOCKED (a writer mid break-before-make),
              // the poison pattern (debug: a read of a freed page), or a table link to a page outside
              // the arena (debug: a use-after-free). Then run every single-page operation over it.
              const e = entryAt(pgt, gi, inject === 2 ? 2 : 3);
              if (e.word < 0 || e.lo !== 0 || (inject === 2 && e.level === 3)) return 'no empty entry';
              injected = e.word;
              v.i32[e.word] = inject === 0 ? KVM_INVALID_PTE_LOCKED : inject === 1 ? POISON : makeTable(tablePages);
              const out = [
                outcome(() => stage2Map(pgt, gi * PAGE_SIZE, PAGE_SIZE, frame, attrs, { shared: true })),
                outcome(() => stage2Mkold(pgt, gi * PAGE_SIZE)),
                outcome(() => testClearYoung(pgt, gi, gi + 1, gi, new Uint32Array([bit]))),
                outcome(() => stage2Unmap(pgt, gi * PAGE_SIZE, PAGE_SIZE)),
                outcome(() => stage2Map(pgt, gi * PAGE_SIZE, PAGE_SIZE, frame, attrs)),
              ].join(' ');
              const st = v.i32[e.word];
              if (st === KVM_INVALID_PTE_LOCKED || st === POISON || st === makeTable(tablePages)) v.i32[e.word] = 0;
              return out;
            }
            switch (op) {
              case 0:
              case 1:
              case 2:
              case 3:
                return outcome(() => stage2Map(pgt, g * PAGE_SIZE, PAGE_SIZE, frame, attrs, { shared }));
              case 4:
              case 5:
              case 6:
              case 7:
                return outcome(() => stage2Unmap(pgt, g * PAGE_SIZE, PAGE_SIZE));
              case 8:
                return outcome(() => stage2Mkold(pgt, g * PAGE_SIZE));
              case 9: {
                const bm = new Uint32Array([bit]);
                const st = newTestClearYoungStats();
                return outcome(() => [testClearYoung(pgt, g, g + 1, g, bm, st), bm[0], JSON.stringify(st)].join());
              }
              case 10:
                return outcome(() => stage2Map(pgt, s * PAGE_SIZE, n * PAGE_SIZE, frame, attrs, { shared }));
              case 11:
                return outcome(() =>
                  stage2Map(pgt, blockStart * PAGE_SIZE, 512 * PAGE_SIZE, 2 ** 21, attrs, { allowBlocks: true }),
                );
              case 12:
                return outcome(() => stage2Unmap(pgt, s * PAGE_SIZE, n * PAGE_SIZE));
              case 13:
                return outcome(() => stage2Mkyoung(pgt, g * PAGE_SIZE));
              case 14:
                return outcome(() => stage2Mkold(pgt, s * PAGE_SIZE, n * PAGE_SIZE));
              default: {
                // A lookaround / aging window: inside one level-3 table (direct descent) or across two.
                const len = Math.min(n, 64);
                const bm = new Uint32Array([frame, frame * 7]);
                const st = newTestClearYoungStats();
                const end = s + len;
                return outcome(() => [testClearYoung(pgt, s, end, end - 1, bm, st), bm, JSON.stringify(st)].join());
              }
            }
          } finally {
            setStage2FastPaths(was);
          }
        });
        if (op <= 9 || op >= 15 || inject >= 0) fastOps++;
        const [a, b] = sides;
        const tag = `step ${step} op ${op} inject ${inject} gfn ${gi} word ${injected}`;
        expect(results[0], tag).toBe(results[1]);
        expect(a.log, tag).toEqual(b.log);
        expect(
          a.log.filter((e) => e.endsWith('WHILE VALID')),
          tag,
        ).toEqual([]);
        let diff = -1;
        for (let i = 0; i < a.v.i32.length && diff < 0; i++) if (a.v.i32[i] !== b.v.i32[i]) diff = i;
        expect(diff, `${tag}: first differing arena word`).toBe(-1);
      }
      expect(fastOps).toBeGreaterThan(300);
      const st = arenaStats(sides[0].v);
      if (debugPoison) expect(st.uaf * st.poisonReads).toBeGreaterThan(0); // the injections were exercised
      if (tablePages <= 10) expect(st.failures).toBeGreaterThan(0); // so was ENOMEM
    });
  }
});
