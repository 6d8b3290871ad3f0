/**
 * Swap slot allocation (engine/core/mm/swapSlots.ts) against the slow reference model of the kernel's
 * per-CPU cluster allocator (swapSlotsRef.ts), and the property the readahead model needs from it: a
 * reclaimer's consecutive swap-outs fill its own cluster in slot order, whoever else swaps out meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../engine/core/sim/prng.ts';
import {
  cpuOfVcpu,
  KSWAPD_CPU,
  SWAP_SLOTS_CACHE_SIZE,
  SWAPFILE_CLUSTER,
  SwapSlots,
} from '../../engine/core/mm/swapSlots.ts';
import { RefSwapSlots } from './swapSlotsRef.ts';

/** Random allocs and frees by `cpus` CPUs; returns whether the two allocators ever disagreed (and where). */
function drive(
  device: number,
  cpus: number,
  steps: number,
  seed: number,
  ref: RefSwapSlots,
): { mismatch: string | null; fulls: number; fallbacks: number } {
  const real = new SwapSlots(device, 7);
  const rnd = new Prng(seed, 3);
  const held: number[] = [];
  let fulls = 0;
  let fallbacks = 0;
  for (let i = 0; i < steps; i++) {
    const cpu = rnd.nextU32() % cpus;
    // More allocations than frees: the device fills up (exhaustion), then frees make room (reuse).
    const doAlloc = held.length === 0 || rnd.nextU32() % 100 < 60;
    if (doAlloc) {
      const a = real.alloc(i, cpu);
      const b = ref.alloc(cpu);
      if (a !== b) return { mismatch: `step ${i}: alloc on cpu ${cpu} gave ${a}, reference ${b}`, fulls, fallbacks };
      if (a < 0) fulls++;
      else {
        held.push(a);
        if (ref.freeList.length === 0) fallbacks++;
      }
    } else {
      // Half the frees take the oldest slot (refaults in eviction order empty whole clusters), half any.
      const k = rnd.nextU32() % 2 === 0 ? 0 : rnd.nextU32() % held.length;
      const s = held[k];
      held.splice(k, 1);
      real.free(s, cpu);
      ref.free(s, cpu);
    }
    if (real.inusePages() !== ref.inuse)
      return { mismatch: `step ${i}: inuse ${real.inusePages()} vs ${ref.inuse}`, fulls, fallbacks };
  }
  for (let s = 0; s < device; s++)
    if (real.used(s) !== (ref.map[s] !== 0)) return { mismatch: `slot ${s} used ${real.used(s)}`, fulls, fallbacks };
  return { mismatch: null, fulls, fallbacks };
}

describe('swap slots: per-CPU clusters and slot caches (mm/swapfile.c, mm/swap_slots.c)', () => {
  it.each([
    [SWAPFILE_CLUSTER * 40, 3, 40_000],
    [SWAPFILE_CLUSTER * 6 + 100, 5, 30_000],
    [SWAPFILE_CLUSTER * 2, 4, 20_000],
    [300, 2, 5_000],
  ])(
    'matches the slow reference: device %i slots, %i CPUs, %i operations (clusters, exhaustion, fallback scan, frees)',
    (device, cpus, steps) => {
      for (let seed = 1; seed <= 3; seed++) {
        const r = drive(device, cpus, steps, seed, new RefSwapSlots(device, 7));
        expect(r.mismatch).toBeNull();
        // The sequences reach a full device and the linear fallback scan (no free cluster left).
        if (device < SWAPFILE_CLUSTER * 10) {
          expect(r.fulls).toBeGreaterThan(0);
          expect(r.fallbacks).toBeGreaterThan(0);
        }
      }
    },
  );

  it('negative control: a reference that returns freed clusters to the head of the free list disagrees', () => {
    class FreeToHead extends RefSwapSlots {
      override free(s: number, cpu: number): void {
        const before = [...this.freeList];
        super.free(s, cpu);
        const added = this.freeList.filter((c) => !before.includes(c));
        if (added.length > 0) this.freeList = [...added, ...before];
      }
    }
    const device = SWAPFILE_CLUSTER * 40;
    const r = drive(device, 3, 40_000, 1, new FreeToHead(device, 7));
    expect(r.mismatch).not.toBeNull();
  });

  it('the free clusters start in SWAP_CLUSTER_COLS columns; kswapd fills its cluster in order, 64 slots per cache refill', () => {
    const s = new SwapSlots(SWAPFILE_CLUSTER * 1024);
    const got = Array.from({ length: 600 }, (_, i) => s.alloc(i, KSWAPD_CPU));
    // Cluster 0 holds the header: the first free cluster is 32 (column 0), then 1 (column 1).
    expect(got.slice(0, 3)).toEqual([32 * 512, 32 * 512 + 1, 32 * 512 + 2]);
    expect(got[511]).toBe(32 * 512 + 511);
    expect(got[512]).toBe(64 * 512); // column 0 goes on: 64, 96, ..., then column 1
    // The slot cache reserved a whole batch: 600 allocations hold 640 slots.
    expect(s.inusePages()).toBe(Math.ceil(600 / SWAP_SLOTS_CACHE_SIZE) * SWAP_SLOTS_CACHE_SIZE);
    expect(s.pageAt(32 * 512 + 5)).toBe(5);
  });

  it('two reclaimers swapping out in turn each fill their own cluster in order (negative control: one shared cluster interleaves)', () => {
    const runs = (shared: boolean): boolean => {
      const s = new SwapSlots(SWAPFILE_CLUSTER * 64);
      const vcpu = cpuOfVcpu(0, 3);
      const mine: number[] = [];
      const theirs: number[] = [];
      for (let i = 0; i < 300; i++) {
        mine.push(s.alloc(2 * i, KSWAPD_CPU));
        theirs.push(s.alloc(2 * i + 1, shared ? KSWAPD_CPU : vcpu));
      }
      const consecutive = (a: number[]): boolean => a.every((x, i) => i === 0 || x === a[i - 1] + 1);
      return consecutive(mine) && consecutive(theirs);
    };
    expect(runs(false)).toBe(true);
    expect(runs(true)).toBe(false); // the old model: one allocation order for every reclaimer
  });

  it('a freed slot stays unavailable in its CPU slots_ret until 64 frees return them; an emptied cluster goes to the free list tail', () => {
    const s = new SwapSlots(SWAPFILE_CLUSTER * 4);
    // Clusters: 0 (header), then free list 1, 2, 3.
    const a = Array.from({ length: SWAPFILE_CLUSTER }, (_, i) => s.alloc(i, KSWAPD_CPU));
    expect(a[0]).toBe(512);
    const cpu = cpuOfVcpu(0, 0);
    for (let i = 0; i < SWAP_SLOTS_CACHE_SIZE; i++) s.free(a[i], cpu);
    expect(s.used(a[0])).toBe(true); // held in slots_ret
    expect(s.pageAt(a[0])).toBe(-1);
    s.free(a[64], cpu); // the 65th free returns the first 64
    expect(s.used(a[0])).toBe(false);
    expect(s.used(a[64])).toBe(true);
    // Free the whole cluster 1 (kswapd's current one is now cluster 2 after its next refill).
    for (let i = 65; i < SWAPFILE_CLUSTER; i++) s.free(a[i], cpu);
    for (let i = 0; i < SWAP_SLOTS_CACHE_SIZE; i++) s.free(s.alloc(1000 + i, cpuOfVcpu(0, 1)), cpu);
    // Cluster 1 is free again, behind 3 on the list: a new CPU takes 3 first.
    const other = cpuOfVcpu(1, 0);
    expect(Math.floor(s.alloc(5000, other) / SWAPFILE_CLUSTER)).toBe(3);
  });

  it('a full device hands out nothing, and the slots come back after frees', () => {
    const s = new SwapSlots(SWAPFILE_CLUSTER * 2);
    const got: number[] = [];
    for (let i = 0; i < 2 * SWAPFILE_CLUSTER; i++) {
      const x = s.alloc(i, KSWAPD_CPU);
      if (x < 0) break;
      got.push(x);
    }
    expect(got.length).toBe(2 * SWAPFILE_CLUSTER - 1); // every slot but the header
    expect(new Set(got).size).toBe(got.length);
    expect(s.alloc(99, 0)).toBe(-1);
    for (let i = 0; i <= SWAP_SLOTS_CACHE_SIZE; i++) s.free(got[i], 1);
    expect(s.alloc(100, 2)).toBeGreaterThan(0);
  });
});
