/**
 * The active/inactive policy's state words and the anon shadow's token width (mm/policy/activeInactive.ts,
 * mm/policy/workingsetAnon.ts). Import-free on purpose: the bundler inlines constants only from a module
 * that imports nothing (mm/policy/mglruConsts.ts says why).
 */
/**
 * Doubles of the policy's state: the two list sizes, lruvec->nonresident_age and the lruvec's
 * WORKINGSET_ACTIVATE_ANON count (mm/workingset.c), its snapshot target_lruvec->refaults[WORKINGSET_ANON]
 * (snapshot_refaults, mm/vmscan.c), and the active folios shrink_lruvec still owes the scan.
 */
export const ACTIVE_INACTIVE_WORDS = 6;
export const N_ACTIVE = 0;
export const N_INACTIVE = 1;
export const NONRESIDENT_AGE = 2;
export const WORKINGSET_ACTIVATE = 3;
export const REFAULT_SNAPSHOT = 4;
export const DEACTIVATE_OWED = 5;
/**
 * The shadow's eviction token (pack_shadow's `eviction`): nonresident_age at the folio's eviction, kept in
 * the page's tag (16 bits, free while the page is off the LRU) and the low 7 bits of its folioFlags
 * (FOLIO_SHADOW is the 8th: the page has a shadow). EVICTION_MASK of this width (the kernel's is
 * BITS_PER_LONG - EVICTION_SHIFT, ~40 bits on 64-bit): distances are taken modulo 2^23 pages, more than
 * any lab lruvec holds, so no shadow laps (workingset_refault's comment on the kernel's mask).
 */
export const EVICTION_BITS = 23;
export const EVICTION_MASK = (1 << EVICTION_BITS) - 1;
