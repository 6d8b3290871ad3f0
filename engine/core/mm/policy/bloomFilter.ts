/**
 * MGLRU's Bloom filters over PTE tables (mm/vmscan.c 6.1-6.12, "Bloom filters" section; 6.1 keeps them in
 * lruvec->mm_state, 6.6+ in the memcg's per-node mm_state: one set per lruvec either way). They decide
 * which leaf tables the aging walk reads after its first iteration:
 *
 * - Two filters, indexed by seq % NR_BLOOM_FILTERS (filter_gen_from_seq). Neither exists at first.
 * - iterate_mm_list: the walk of max_seq takes force_scan when it starts an iteration with
 *   mm_state->tail NULL (the first iteration over the mm list, and the first after
 *   iterate_mm_list_nowalk, which clears tail; "force scan for those added after the last iteration").
 *   Its first mm resets the filter of max_seq + 1 (reset_bloom_filter: allocated, or cleared).
 * - walk_pmd_range: a PTE table is read (walk_pte_range) only under force_scan or when
 *   test_bloom_filter(walk->seq) finds it (true while that filter does not exist). A table read is added to
 *   the filter of walk->seq + 1 when walk_pte_range returns suitable_to_scan(total, young): at least one
 *   young PTE per cache line on average (young * n >= total, n = cache_line_size() / sizeof(pte_t)
 *   clamped to [2, 8]: 8 on Neoverse N1's 64-byte lines). A table the walk skips keeps its accessed bits
 *   and its folios' generations: eviction's folio_referenced (look-around) reads them instead.
 * - lru_gen_look_around ("feedback from rmap walkers to page table walkers"): a window with
 *   suitable_to_scan(i, young) adds its table to the filter of max_seq (the next walk's), if it exists.
 *
 * The kernel hashes the PMD entry's address (hash_ptr, two keys into 2^15 bits); the lab keeps the exact
 * set of tables instead (one byte per table and filter). Not modelled: the filter's false positives, which
 * read a table the exact set would skip (k = 2 keys in m = 2^15 bits: (1 - e^(-2n/m))^2, 0.2 % for the
 * n = 768 tables of 1.5 GiB of guests). Without hardware AF there is no walk and no filter.
 *
 * State: `bits` (2 x keys bytes, filter g at [g * keys, (g + 1) * keys)) and one word of `state` at `at`:
 * PRESENT_0 / PRESENT_1 (the filter exists), NEXT_FORCE (mm_state->tail is NULL), WALK_FORCE (the walk in
 * progress has force_scan). Both may be shared (a spread run's lruvec, mm/sharedLru.ts).
 */
/** cache_line_size() / sizeof(pte_t), clamped to [2, 8] (suitable_to_scan): 64-byte lines, 8-byte PTEs. */
export const YOUNG_PER_LINE = 8;
const PRESENT_0 = 1;
const NEXT_FORCE = 4;
const WALK_FORCE = 8;

/** suitable_to_scan: the average number of young PTEs per cache line is at least 1. */
export function suitableToScan(total: number, young: number): boolean {
  return young * YOUNG_PER_LINE >= total;
}

export class BloomFilters {
  private readonly keys: number;

  constructor(
    private readonly bits: Uint8Array,
    private readonly state: Float64Array,
    private readonly at: number,
  ) {
    this.keys = bits.length >>> 1;
  }

  /** A fresh lruvec: no filter, the first walk forced (mm_state->tail NULL). */
  init(): void {
    this.state[this.at] = NEXT_FORCE;
  }

  private get word(): number {
    return this.state[this.at];
  }

  private set word(v: number) {
    this.state[this.at] = v;
  }

  /** iterate_mm_list's first mm for the walk of seq: force_scan from the tail, reset_bloom_filter(seq + 1). */
  startWalk(seq: number): void {
    const g = (seq + 1) & 1;
    this.bits.fill(0, g * this.keys, (g + 1) * this.keys);
    let w = this.word | (PRESENT_0 << g);
    w = (w & NEXT_FORCE) !== 0 ? w | WALK_FORCE : w & ~WALK_FORCE;
    this.word = w & ~NEXT_FORCE;
  }

  /** iterate_mm_list_nowalk: a generation without a walk clears mm_state->tail. */
  noWalk(): void {
    this.word = this.word | NEXT_FORCE;
  }

  /** walk_pmd_range's `walk->force_scan || test_bloom_filter(mm_state, walk->seq, pmd)`. */
  test(key: number, seq: number): boolean {
    const w = this.word;
    if ((w & WALK_FORCE) !== 0 || this.keys === 0) return true;
    const g = seq & 1;
    if ((w & (PRESENT_0 << g)) === 0) return true;
    return this.bits[g * this.keys + key] !== 0;
  }

  /** walk_pmd_range after walk_pte_range: update_bloom_filter(walk->seq + 1) for a suitable table. */
  walked(key: number, seq: number, total: number, young: number): void {
    if (suitableToScan(total, young)) this.update(key, seq + 1);
  }

  /** lru_gen_look_around: update_bloom_filter(max_seq) for a suitable window. */
  lookedAround(key: number, maxSeq: number, total: number, young: number): void {
    if (suitableToScan(total, young)) this.update(key, maxSeq);
  }

  /** update_bloom_filter: nothing while the filter does not exist. */
  private update(key: number, seq: number): void {
    const g = seq & 1;
    if ((this.word & (PRESENT_0 << g)) === 0) return;
    this.bits[g * this.keys + key] = 1;
  }
}
