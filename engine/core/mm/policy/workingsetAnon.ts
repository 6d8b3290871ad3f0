/**
 * The anon workingset's shadows for the active/inactive policy (mm/workingset.c, 6.1-6.4): an evicted
 * folio's eviction token (workingset_eviction, pack_shadow) and the swap-in's refault test
 * (workingset_refault) against lruvec->nonresident_age, over the policy's state words
 * (activeInactiveConsts.ts), its page tags (the token's low 16 bits while the page is off the LRU) and the
 * node's folio flags (FOLIO_SHADOW and the token's high bits). Called by mm/policy/activeInactive.ts.
 */
import { EVICTION_MASK, N_ACTIVE, NONRESIDENT_AGE, WORKINGSET_ACTIVATE } from './activeInactiveConsts.ts';
import { FOLIO_SHADOW } from './mglruRefault.ts';

/**
 * workingset_refault for an anon folio (mm/workingset.c, 6.1-6.4; workingset_test_recent from 6.5):
 * refault_distance = (nonresident_age - the shadow's eviction) & EVICTION_MASK, against workingset_size
 * = NR_ACTIVE_FILE + NR_INACTIVE_FILE (none here: the lab's host LRU holds guest memory only) +
 * NR_ACTIVE_ANON (mem_cgroup_get_nr_swap_pages > 0: the folio was just swapped out, so swap exists).
 * Within it: folio_set_active, workingset_age_nonresident, WORKINGSET_ACTIVATE_ANON. The shadow is used
 * up either way. Lab pages on both sides of the comparison, so host.scale cancels.
 */
export function workingsetRefault(state: Float64Array, tag: Int16Array, folioFlags: Uint8Array, id: number): boolean {
  const f = folioFlags[id];
  const eviction = ((f & 0x7f) << 16) | (tag[id] & 0xffff);
  folioFlags[id] = 0;
  const age = state[NONRESIDENT_AGE];
  const distance = (age - eviction) & EVICTION_MASK;
  if (distance > state[N_ACTIVE]) return false;
  state[NONRESIDENT_AGE] = age + 1;
  state[WORKINGSET_ACTIVATE]++;
  return true;
}

/**
 * workingset_eviction's shadow (from __remove_mapping as the folio is freed; mm/workingset.c): the
 * eviction token is nonresident_age now. The age itself advanced when pickVictim took the folio (see
 * there), so a folio freed only when its swap write completed (SSD: Pgdat.endWriteback calls this)
 * is not counted twice.
 */
export function workingsetEviction(state: Float64Array, tag: Int16Array, folioFlags: Uint8Array, id: number): void {
  const e = state[NONRESIDENT_AGE] & EVICTION_MASK;
  tag[id] = e & 0xffff;
  folioFlags[id] = FOLIO_SHADOW | (e >>> 16);
}
