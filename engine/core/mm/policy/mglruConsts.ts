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

/** should_run_aging's answers (mglruAging.ts). */
export const AGING_NO = 0;
export const AGING_SHOULD = 1;
export const AGING_MUST = 2;

/** Mglru.deferred's kinds (mglruEvict.ts). */
export const DEFER_PROMOTE = 0;
export const DEFER_ACTIVATE = 1;
export const DEFER_PUTBACK = 2;
