// `npm run bench -- core`: stage-2 core figures (one thread, no contention).
//   - stage-2 walks/s: stage2GetLeaf over a densely mapped 1 GiB guest (4K pages), random gfns
//   - testClearYoung PTEs/s, lockless (no MMU lock; the under-lock figure lives with mmu.ts)
//   - Atomics.compareExchange CAS/s on an Int32Array of a SharedArrayBuffer (baseline)
//   - table bytes per mapped 4K page, dense and sparse 1 GiB guests
//   - single-page stage2Map + stage2Unmap (the fault and eviction paths), stage2Mkold and one-gfn
//     testClearYoung: the direct-descent fast paths against the generic walk (setStage2FastPaths)
import { performance } from 'node:perf_hooks';
import { createArena, PAGE_SIZE, TABLE_PAGE_BYTES } from '../engine/core/layout.ts';
import { arenaStats } from '../engine/core/arch/arena.ts';
import { leafAttrs } from '../engine/core/arch/descriptor.ts';
import { atomics } from '../engine/core/sync/atomics.ts';
import {
  directMmOps,
  setStage2FastPaths,
  stage2GetLeaf,
  stage2Map,
  stage2Mkold,
  stage2Mkyoung,
  stage2PgtInit,
  stage2Unmap,
  type LeafOut,
  type Pgt,
} from '../engine/core/arch/pgtable.ts';
import { newTestClearYoungStats, testClearYoung } from '../engine/core/arch/testClearYoung.ts';
import { fmt, GUEST_GFNS, mapDenseGuest, rate } from './_util.ts';

function denseGuest(): Pgt {
  const v = createArena({ tablePages: 1024, maxThreads: 1, maxLocks: 1 });
  const pgt = stage2PgtInit(v, directMmOps(v));
  mapDenseGuest(pgt);
  return pgt;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const pgt = denseGuest();

// ---- walks ---------------------------------------------------------------------
{
  const rnd = lcg(1);
  const N = 1 << 20;
  const addrs = new Float64Array(N);
  for (let i = 0; i < N; i++) addrs[i] = Math.floor(rnd() * GUEST_GFNS) * PAGE_SIZE;
  const out: LeafOut = { level: 0 };
  let sink = 0;
  const walks = rate(7, () => {
    for (let i = 0; i < N; i++) sink += stage2GetLeaf(pgt, addrs[i], out);
    return N;
  });
  const young = rate(5, () => {
    for (let i = 0; i < N; i++) sink += stage2Mkyoung(pgt, addrs[i]) ? 1 : 0;
    return N;
  });
  if (sink === 42) console.log('');
  console.log(
    `stage-2 walks (stage2GetLeaf, 4-level, random gfns in 1 GiB):  ${fmt(walks)}walks/s  (${(1e9 / walks).toFixed(1)} ns/walk)`,
  );
  console.log(`stage2Mkyoung (walk + AF check, already young):              ${fmt(young)}ops/s`);
}

// ---- testClearYoung ----------------------------------------------------------------
{
  const st = newTestClearYoungStats();
  const bitmap = new Uint32Array(GUEST_GFNS / 32);
  const testOnly = rate(5, () => {
    bitmap.fill(0); // bits clear: test, toggle, never clear AF
    const before = st.scanned;
    testClearYoung(pgt, 0, GUEST_GFNS, GUEST_GFNS - 1, bitmap, st);
    return st.scanned - before;
  });
  let clearing = 0;
  for (let r = 0; r < 5; r++) {
    for (let g = 0; g < GUEST_GFNS; g++) stage2Mkyoung(pgt, g * PAGE_SIZE); // untimed: make every page young again
    bitmap.fill(~0); // bits set: clear AF of every young page (one cmpxchg each)
    const t0 = performance.now();
    const before = st.scanned;
    testClearYoung(pgt, 0, GUEST_GFNS, GUEST_GFNS - 1, bitmap, st);
    clearing = Math.max(clearing, (st.scanned - before) / ((performance.now() - t0) / 1000));
  }
  const small = new Uint32Array(2);
  const lookaround = rate(5, () => {
    const before = st.scanned;
    for (let g = 0; g < GUEST_GFNS; g += 64) {
      small[0] = 0;
      small[1] = 0;
      testClearYoung(pgt, g, g + 64, g + 63, small, st);
    }
    return st.scanned - before;
  });
  console.log(`testClearYoung lockless, whole 1 GiB, test only:              ${fmt(testOnly)}PTEs/s`);
  console.log(`testClearYoung lockless, whole 1 GiB, clearing AF (cmpxchg):  ${fmt(clearing)}PTEs/s`);
  console.log(`testClearYoung lockless, 64-gfn lookaround windows:          ${fmt(lookaround)}PTEs/s`);
}

// ---- CAS baseline ------------------------------------------------------------------
{
  const a = new Int32Array(new SharedArrayBuffer(64));
  const N = 1 << 23;
  const native = rate(5, () => {
    for (let i = 0; i < N; i++) Atomics.compareExchange(a, 3, i, i + 1);
    a[3] = 0;
    return N;
  });
  const routed = rate(5, () => {
    for (let i = 0; i < N; i++) atomics.compareExchange(a, 3, i, i + 1);
    a[3] = 0;
    return N;
  });
  console.log(`Atomics.compareExchange on a SAB Int32Array (uncontended):   ${fmt(native)}CAS/s`);
  console.log(`  the same through atomics.ts routing:                      ${fmt(routed)}CAS/s`);
}

// ---- table memory ------------------------------------------------------------------
{
  const dense = arenaStats(pgt.views).inUse;
  console.log(
    `table bytes per mapped 4K page, dense 1 GiB (262144 pages):   ${((dense * TABLE_PAGE_BYTES) / GUEST_GFNS).toFixed(2)} B/page  (${dense} table pages)`,
  );
  const v = createArena({ tablePages: 1024, maxThreads: 1, maxLocks: 1 });
  const sparse = stage2PgtInit(v, directMmOps(v));
  const rnd = lcg(7);
  const mapped = new Set<number>();
  while (mapped.size < 4096) mapped.add(Math.floor(rnd() * GUEST_GFNS));
  for (const g of mapped) stage2Map(sparse, g * PAGE_SIZE, PAGE_SIZE, g, leafAttrs());
  const n = arenaStats(v).inUse;
  console.log(
    `table bytes per mapped 4K page, sparse 1 GiB (4096 random):   ${((n * TABLE_PAGE_BYTES) / mapped.size).toFixed(1)} B/page  (${n} table pages)`,
  );
}

// ---- single-page operations: fast paths vs the generic walk ------------------------------
{
  // A 1 GiB guest with every other page mapped (its tables stay), as a trace replay's steady state.
  const v = createArena({ tablePages: 1024, maxThreads: 1, maxLocks: 1 });
  const g = stage2PgtInit(v, directMmOps(v));
  const attrs = leafAttrs({ young: true });
  for (let gfn = 0; gfn < GUEST_GFNS; gfn += 2) stage2Map(g, gfn * PAGE_SIZE, PAGE_SIZE, gfn, attrs);
  const rnd = lcg(3);
  const N = 1 << 18;
  const odd = new Float64Array(N); // unmapped pages: map, then unmap again
  const even = new Float64Array(N); // mapped pages: mkold, testClearYoung
  for (let i = 0; i < N; i++) {
    odd[i] = Math.floor(rnd() * (GUEST_GFNS / 2)) * 2 + 1;
    even[i] = Math.floor(rnd() * (GUEST_GFNS / 2)) * 2;
  }
  // A lone page in an empty 512 GiB region: every map installs 3 tables, every unmap unlinks them.
  const lone = 2 ** 28;
  const shared = { shared: true };
  const bm = new Uint32Array(1);
  const st = newTestClearYoungStats();
  const rows: [string, () => number][] = [
    [
      'stage2Map (shared) + stage2Unmap, one 4K page, tables present:',
      () => {
        for (let i = 0; i < N; i++) {
          stage2Map(g, odd[i] * PAGE_SIZE, PAGE_SIZE, odd[i], attrs, shared);
          stage2Unmap(g, odd[i] * PAGE_SIZE, PAGE_SIZE);
        }
        return N;
      },
    ],
    [
      'stage2Map + stage2Unmap, one 4K page, 3 tables linked/unlinked:',
      () => {
        for (let i = 0; i < N / 8; i++) {
          stage2Map(g, (lone + i) * PAGE_SIZE, PAGE_SIZE, i, attrs);
          stage2Unmap(g, (lone + i) * PAGE_SIZE, PAGE_SIZE);
        }
        return N / 8;
      },
    ],
    [
      'stage2Mkold, one 4K page:',
      () => {
        for (let i = 0; i < N; i++) stage2Mkold(g, even[i] * PAGE_SIZE);
        return N;
      },
    ],
    [
      'testClearYoung, one gfn (CLOCK, MGLRU victim check):',
      () => {
        for (let i = 0; i < N; i++) {
          bm[0] = 1;
          testClearYoung(g, even[i], even[i] + 1, even[i], bm, st);
        }
        return N;
      },
    ],
  ];
  for (const [label, fn] of rows) {
    setStage2FastPaths(false);
    const generic = rate(3, fn);
    setStage2FastPaths(true);
    const fast = rate(5, fn);
    console.log(
      `${label.padEnd(66)} ${fmt(fast)}ops/s  (generic walk: ${fmt(generic)}ops/s, x${(fast / generic).toFixed(1)})`,
    );
  }
}
