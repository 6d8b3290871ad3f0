/**
 * MGLRU's constants: the generations (include/linux/mmzone.h MIN_NR_GENS, MAX_NR_GENS, MAX_LRU_BATCH), the
 * policy's state words (mglruGen.ts) and the folio bits the refault tiers use (mglruRefault.ts).
 *
 * Contract: this module imports nothing, so the bundler inlines its constants as literals at every use
 * (scripts/workers.mjs minifySyntax). esbuild inlines an imported `const` only from a module without
 * imports (one that cannot be in an import cycle, where the binding could still be uninitialised when
 * read); declared in mglruGen.ts or mglruRefault.ts, which import, each use on the replay's reclaim
 * path was a load from the module context, a Smi check and an untag (callgrind of the MGLRU trace
 * replay, session 14: `this.state[MIN_SEQ]` ~12 instructions, pickVictim 547 per call). mglruGen.ts and
 * mglruRefault.ts re-export them; add an import here and they stop being inlined.
 */

export const MIN_NR_GENS = 2;
export const MAX_NR_GENS = 4;
/**
 * seq % MAX_NR_GENS as a mask (lru_gen_from_seq): sequence numbers are never negative here (minSeq and
 * maxSeq start at 0 and 1 and only grow; promote clamps to minSeq), so the two agree, and a signed
 * modulus is several instructions on every list access of the replay's reclaim. MAX_NR_GENS is a power
 * of two (mglruGen.ts checks).
 */
export const GEN_MASK = MAX_NR_GENS - 1;
/** MAX_LRU_BATCH (include/linux/mmzone.h): ids walked per kswapd aging step. */
export const MAX_LRU_BATCH = 4096;

/** The policy's state words (see MglruGens' constructor's `state`). */
export const MIN_SEQ = 0;
export const MAX_SEQ = 1;
export const AGING_CURSOR = 2;
export const TOTAL = 3;
export const NR_PAGES = 4;
/** The max_seq the current pass walks (walk->max_seq), after the NR_PAGES words. */
export const WALK_SEQ = NR_PAGES + MAX_NR_GENS;
/**
 * The Bloom filters' state (bloomFilter.ts): FILTER_PRESENT << g when filter g exists (mm_state->filters[g]
 * allocated), NEXT_FORCE when the next walk is an iteration with mm_state->tail NULL (force_scan),
 * WALK_FORCE when the walk in progress is.
 */
export const FILTER_BITS = WALK_SEQ + 1;
export const MGLRU_WORDS = FILTER_BITS + 1;

/** LRU_REFS_WIDTH = MAX_NR_TIERS - 2 (include/linux/mm_inline.h, 6.1-6.6). */
export const LRU_REFS_WIDTH = 2;
/** folioFlags bits: LRU_REFS_MASK (the refs counter's LRU_REFS_WIDTH bits) and PG_workingset, as in folio->flags. */
export const FOLIO_REFS_MASK = (1 << LRU_REFS_WIDTH) - 1;
export const FOLIO_WORKINGSET = 1 << LRU_REFS_WIDTH;
/** Lab bookkeeping, no folio bit: the page was evicted from this lruvec and its tag holds the shadow's min_seq. */
export const FOLIO_SHADOW = 0x80;
/**
 * PG_referenced as MGLRU uses it (folio_inc_refs, mm/swap.c 6.1-6.6): the first folio_mark_accessed sets it,
 * the second PG_workingset, each further one adds 1 to LRU_REFS until LRU_REFS_MASK. folio_lru_refs does not
 * count it; isolate_folio keeps the LRU_REFS bits only if it is set, then clears it.
 */
export const FOLIO_PG_REFERENCED = 1 << (LRU_REFS_WIDTH + 1);
/** MAX_NR_TIERS (include/linux/mmzone.h, 6.1-6.6): tiers 0..3, tier = lru_tier_from_refs(refs). */
export const MAX_NR_TIERS = 4;
/** MIN_LRU_BATCH = BITS_PER_LONG (mm/vmscan.c): 64 on arm64 and x86-64; positive_ctrl_err's floor. */
export const MIN_LRU_BATCH = 64;
/**
 * The PID controller's counters for the anon type (struct lru_gen_folio, 6.1-6.6, NR_HIST_GENS 1 without
 * CONFIG_LRU_GEN_STATS, so hist is always 0): refaulted[tier], evicted[tier], protected[tier - 1] (index
 * tier - 1, 3 words and a spare), avg_refaulted[tier], avg_total[tier] (mglruRefault.ts, MglruGen.ctrl).
 */
export const CTRL_REFAULTED = 0;
export const CTRL_EVICTED = MAX_NR_TIERS;
export const CTRL_PROTECTED = 2 * MAX_NR_TIERS;
export const CTRL_AVG_REFAULTED = 3 * MAX_NR_TIERS;
export const CTRL_AVG_TOTAL = 4 * MAX_NR_TIERS;
export const CTRL_WORDS = 5 * MAX_NR_TIERS;

/** should_run_aging's answers (mglruAging.ts). */
export const AGING_NO = 0;
export const AGING_SHOULD = 1;
export const AGING_MUST = 2;

/** Mglru.deferred's kinds (mglruEvict.ts). */
export const DEFER_PROMOTE = 0;
export const DEFER_ACTIVATE = 1;
export const DEFER_PUTBACK = 2;
