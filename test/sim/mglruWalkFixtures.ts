/**
 * Shared setup of the mm_state.wait tests (mglruWalkWaitQueue, mglruWalkWaitCross): N = 3 * MAX_LRU_BATCH
 * folios on one MGLRU lruvec after a free first aging pass (max_seq 2), and reclaimers whose walk costs a
 * fixed time per id.
 */
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { MAX_LRU_BATCH, MAX_NR_GENS, Mglru } from '../../engine/core/mm/policy/mglru.ts';
import type { Promoter, Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { WAIT_MM_WALK, type ReclaimThrottle } from '../../engine/core/mm/reclaimThrottle.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { GS_WORDS } from '../../engine/core/sim/simLayout.ts';
import { smallReclaimScenario, workerOf } from './fixtures.ts';

export const B = MAX_LRU_BATCH;
export const N = 3 * B;

/**
 * A reclaimer at clock t whose walk costs `ns` an id; every folio old, no page young. With a queue `q`, its
 * mmWalkDone is the last walker's wake_up_all on it (Pgdat.mmWalkDone); with null, no wake-up (the
 * negative controls).
 */
export function walkingReclaimer(t: number, ns: number, q: ReclaimThrottle | null): Reclaimer {
  const r: Reclaimer = {
    t,
    referenced: () => false,
    walk(start: number, end: number, _p: Promoter): void {
      r.t += ns * (end - start);
    },
    canWalk: () => true,
    spent: () => false,
  };
  if (q !== null) r.mmWalkDone = (at: number) => q.wakeAll(WAIT_MM_WALK, at);
  return r;
}

/** N folios mapped on one MGLRU lruvec, its free first pass done (max_seq 2, the pages in generation 1). */
export function agedMglru(): Mglru {
  const list = new DList(new Int32Array(2 * (N + MAX_NR_GENS)), 0, N + MAX_NR_GENS);
  const m = new Mglru(list, new Int16Array(N), 0, N, N, new Float64Array(GS_WORDS), 0, new AgingGate(0));
  for (let id = 0; id < N; id++) m.onMap(id);
  m.beginAging(0);
  while (m.ageStep(walkingReclaimer(0, 0, null))) {
    /* the free first pass */
  }
  return m;
}

/**
 * The fault-path tests' node: one guest of 8,192 pages (32 MiB) on a 24 MiB host, MGLRU with lockless
 * harvest on the host lruvec (one mm), built as one worker builds it.
 */
export function mglruFaultWorker(): ReturnType<typeof workerOf> {
  const cfg = smallReclaimScenario();
  cfg.host = { ...cfg.host, memoryMiB: 24 };
  cfg.guests = [
    { ...cfg.guests[0], name: 'a', memoryMiB: 32, workload: { ...cfg.guests[0].workload, pages: 8192 } },
  ] as typeof cfg.guests;
  cfg.reclaim = { ...cfg.reclaim, policy: 'mglru', harvest: 'lockless', lruvec: 'host' };
  return workerOf(cfg);
}
