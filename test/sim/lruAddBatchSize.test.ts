/**
 * The per-CPU lru_add batch of 6.1-6.4 (mm/lruAdd.ts): PAGEVEC_SIZE 15 (include/linux/pagevec.h; 31 only from
 * 6.9's "mm: increase folio batch size"). folio_batch_add_and_move moves the batch when folio_batch_add leaves
 * no room: the 15th folio added moves all 15, in one lru_lock hold, each with PG_LRU set.
 *
 * Negative control (run by hand, session 15): FOLIO_BATCH_SIZE back to 31 -> the 15th add leaves 15 pending
 * and no hold was taken; the test fails.
 */
import { describe, expect, it } from 'vitest';
import { LruAddBatch } from '../../engine/core/mm/lruAdd.ts';
import type { LockedLruvec } from '../../engine/core/mm/sharedLru.ts';
import type { Policy } from '../../engine/core/mm/policy/policy.ts';
import { PG_LRU } from '../../engine/core/sim/simLayout.ts';

describe('lru_add batch (folio_add_lru -> folio_batch_add_and_move), 6.1-6.4', () => {
  it('moves after 15 folios, in one lru_lock hold', () => {
    const added: number[] = [];
    let holds = 0;
    const p = { onMap: (id: number) => void added.push(id) } as unknown as Policy;
    const lruvec = {
      locked: <A>(fn: (q: Policy, a: A) => void, a: A) => (holds++, fn(p, a)),
    } as unknown as LockedLruvec;
    const flags = new Uint8Array(64);
    const b = new LruAddBatch(lruvec, [flags], [0]);
    for (let id = 0; id < 14; id++) b.onMap(id);
    expect(b.pending).toBe(14);
    expect(holds).toBe(0);
    b.onMap(14);
    expect(b.pending).toBe(0);
    expect(holds).toBe(1);
    expect(added).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(flags[14] & PG_LRU).toBe(PG_LRU);
    expect(flags[15] & PG_LRU).toBe(0);
  });
});
