/**
 * inactive_is_low (mm/vmscan.c, 6.1-6.6) in a scaled host (host.scale, mm/policy/activeInactive.ts): the
 * anon lists are deactivated until inactive * inactive_ratio >= active, inactive_ratio = int_sqrt(10 * gb)
 * with gb the GiB the lists stand for (their pages x scale), 1 below 1 GiB. A 1/scale replica thus keeps
 * the kernel's inactive share instead of the one its own, smaller size would give.
 *
 * Negative control: scale 1 is the lab before host.scale (the lists' own size): 1,024 pages deactivated
 * instead of 228; the hand-computed 228 fails there.
 */
import { describe, expect, it } from 'vitest';
import { ActiveInactive } from '../../engine/core/mm/policy/activeInactive.ts';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { SCAN_AGAIN, type Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { GS_WORDS } from '../../engine/core/sim/simLayout.ts';

/**
 * onMap, then PG_referenced as the fault's first folio_mark_accessed leaves it (Policy.markAccessed;
 * kvm/faultinMarks.ts markOnMap): a young folio at the inactive tail is then activated on its first look
 * (folio_check_references), the behaviour this file's hand computations assume.
 */
function mapRef(ai: ActiveInactive, id: number): void {
  ai.onMap(id);
  ai.setReferenced(id);
}

const N = 2048;

/** N pages all on the active list (each found young once at the inactive tail), then one deactivation pass. */
function inactiveAfterPass(scale: number): number {
  const heads = 8;
  const list = new DList(new Int32Array(2 * (N + heads)), 0, N + heads);
  const ai = new ActiveInactive(
    list,
    new Int16Array(N),
    N,
    new Float64Array(GS_WORDS),
    0,
    new AgingGate(0),
    undefined,
    true,
    scale,
  );
  for (let id = 0; id < N; id++) mapRef(ai, id);
  let young = true;
  const r: Reclaimer = {
    t: 0,
    referenced: () => young,
    walk: () => {},
    canWalk: () => false,
    spent: () => true, // one folio per call: each young one is activated and the call returns
  };
  for (let i = 0; i < N; i++) expect(ai.pickVictim(r, false)).toBe(SCAN_AGAIN);
  expect(ai.inactivePages()).toBe(0);
  young = false;
  const aging: Reclaimer = { ...r, spent: () => false };
  ai.beginAging(0);
  while (ai.ageStep(aging)) {
    /* the pass, SWAP_CLUSTER_MAX pages a step */
  }
  return ai.inactivePages();
}

describe('inactive_is_low sizes the inactive list by the memory the host stands for', () => {
  it('2,048 pages standing for 8 GiB (scale 1,024): ratio int_sqrt(80) = 8, 228 deactivated', () => {
    // Smallest i with 8 i >= 2048 - i: i = 228 (8 x 227 = 1,816 < 1,821).
    expect(inactiveAfterPass(1024)).toBe(228);
  });

  it('the same pages as themselves (8 MiB, below 1 GiB: ratio 1): half deactivated, 1,024', () => {
    expect(inactiveAfterPass(1)).toBe(1024);
  });
});
