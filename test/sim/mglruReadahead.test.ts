/**
 * Where MGLRU puts a swap-readahead folio. The lab's readahead runs inside a vCPU's stage-2 fault
 * (user_mem_abort -> __gfn_to_pfn_memslot -> GUP -> handle_mm_fault, which sets current->in_lru_fault):
 * shmem_swapin_cluster -> swap_cluster_readahead -> __read_swap_cache_async adds each window folio with
 * folio_add_lru, which (mm/swap.c, v6.1-v6.6) sets PG_active when lru_gen_in_fault(); lru_gen_add_folio
 * (include/linux/mm_inline.h) puts an active folio in max_seq, as the faulting folio. The lab's former rule
 * (the control, planted): lru_gen_add_folio's non-active case, min_seq + 1 (min_seq with only MIN_NR_GENS).
 *
 * Setup as test/sim/swapReadahead.test.ts: a pre-faulted 1024-page guest on an SSD, its first 286 pages
 * swapped out in slot order; a fault on gfn 20 with the window at 8 reads gfns 16..23 in one request.
 */
import { describe, expect, it } from 'vitest';
import { MIN_NR_GENS, type Mglru } from '../../engine/core/mm/policy/mglru.ts';
import { PG_SWAPCACHE } from '../../engine/core/sim/simLayout.ts';
import { scanSliceScenario, workerOf } from './fixtures.ts';

interface MglruInside {
  minSeq: number;
  maxSeq: number;
  seqOf(id: number): number;
  incMaxSeqNoWalk(): void;
  onMap(id: number): void;
  list: { insertHead(head: number, id: number): void };
  tag: Int16Array;
  nrPages: Float64Array;
  total: number;
  head(seq: number): number;
}

/** The generations of the read-ahead folios and of the faulting one, with max_seq and min_seq. */
function readahead(plant: boolean): { ra: number[]; faulted: number; minSeq: number; maxSeq: number } {
  const { g } = workerOf(scanSliceScenario({ name: 'ra-gen', device: 'ssd', prefault: true, harvest: 'lockless' }));
  const m = g.lruvec as Mglru;
  const inside = m as unknown as MglruInside;
  // Open generations (no walk) until the old rule and the kernel's differ: max_seq > min_seq + 1.
  while (inside.maxSeq < inside.minSeq + MIN_NR_GENS + 1) inside.incMaxSeqNoWalk();
  if (plant)
    m.onReadahead = (id: number) => {
      const seq = inside.minSeq + MIN_NR_GENS >= inside.maxSeq ? inside.minSeq : inside.minSeq + 1;
      inside.list.insertHead(inside.head(seq), id);
      inside.tag[id] = seq;
      inside.nrPages[seq & 3]++;
      inside.total++;
    };
  const area = g.swapArea!;
  for (let i = 0; i < 7; i++) area.hit(); // window 8
  g.fault(20, true, 1000);
  const ra: number[] = [];
  for (let gfn = 0; gfn < g.pages; gfn++)
    if ((g.flags[gfn] & PG_SWAPCACHE) !== 0) ra.push(inside.seqOf(g.idBase + gfn));
  return { ra, faulted: inside.seqOf(g.idBase + 20), minSeq: inside.minSeq, maxSeq: inside.maxSeq };
}

describe('MGLRU: a folio read ahead inside a fault joins max_seq (folio_add_lru in lru_gen_in_fault)', () => {
  it('all seven read-ahead folios and the faulting folio are in max_seq', () => {
    const r = readahead(false);
    expect(r.ra.length).toBe(7);
    expect(r.maxSeq).toBeGreaterThan(r.minSeq + 1);
    expect(r.ra).toEqual(Array(7).fill(r.maxSeq));
    expect(r.faulted).toBe(r.maxSeq);
  });

  it('negative control: the former placement (min_seq + 1) fails the expectation', () => {
    const r = readahead(true);
    expect(r.ra).toEqual(Array(7).fill(r.minSeq + 1));
    expect(r.ra).not.toEqual(Array(7).fill(r.maxSeq));
  });
});
