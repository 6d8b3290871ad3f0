/**
 * The page flags byte under two writers (mm/pageFlags.ts): a vCPU worker's PG_LRU set / clear against
 * kswapd's worker setting and test-and-clearing PG_HOST_YOUNG on the same pages, with random yields
 * before every atomic (pageFlagsWorker.ts). Each bit has one writer, so each op's old byte must show
 * that writer's bit as it left it; a plain read-modify-write of the byte loses the other's change.
 */
import { describe, expect, it } from 'vitest';
import { runWorkers } from './runWorkers.ts';
import type { PageFlagsWorkerData, PageFlagsWorkerResult } from './pageFlagsWorker.ts';
import { STRESS_SEED } from './stressShared.ts';

// 64 pages: the look-around window hostTestClearYoung takes (count <= 64).
const PAGES = 64;

async function race(plain: boolean, seed: number): Promise<PageFlagsWorkerResult[]> {
  const flags = new SharedArrayBuffer(PAGES);
  const start = new SharedArrayBuffer(8);
  const data = (role: 'lru' | 'young', s: number): PageFlagsWorkerData => ({
    role,
    flags,
    start,
    pages: PAGES,
    rounds: 2000,
    seed: s,
    plain,
  });
  return runWorkers<PageFlagsWorkerResult>('page-flags-worker', [data('lru', seed), data('young', seed + 1)]);
}

describe('page flags byte: two writers', () => {
  it('atomic byte ops: no lost update, and the writers did meet (cmpxchg retries)', async () => {
    const [lru, young] = await race(false, STRESS_SEED + 70);
    console.log(`page flags stress: lru ${JSON.stringify(lru)} young ${JSON.stringify(young)}`);
    expect(lru.lost).toBe(0);
    expect(young.lost).toBe(0);
    expect(lru.ops).toBeGreaterThan(0);
    // The young worker's cmpxchg found PG_LRU changed under it: the race happened, and was survived.
    expect(young.casRetries).toBeGreaterThan(0);
  });

  it('negative control: a plain read-modify-write of the byte (the code before pageFlags.ts) loses updates', async () => {
    const [lru, young] = await race(true, STRESS_SEED + 80);
    console.log(`page flags stress, plain RMW: lru ${JSON.stringify(lru)} young ${JSON.stringify(young)}`);
    expect(lru.lost + young.lost).toBeGreaterThan(0);
  });
});
