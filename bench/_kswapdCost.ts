// Diagnostic (not a bench; session 16 (f)): what the lab charges kswapd per page it evicts, in the memcached
// reproduction's two variants (locked-write = the published before, lockless = after), and the reclaim
// throughput that cost gives one kswapd at 100 % of a CPU, for comparison with measured kswapd figures
// (docs/repro-memcached.md, session 16 (f)). Whole run, deterministic; kswapd's virtual busy time
// (GS_KSWAPD_NS: every shrinkNode / deferred unmap / range_end / aging step it runs, its MMU-lock waits
// included) split by hooks on this process's Pgdat:
//   aging      Pgdat.kswapdAgeStep (MGLRU try_to_inc_max_seq -> walk_mm steps: walk_pte_range and, with
//              the fast path, the lockless stage-2 batches);
//   referenced Pgdat.referenced while kswapd reclaims (folio_referenced: rmap walk, the host PTE, the
//              mmu notifier: kvm_age_gfn under the write lock before, lru_gen_look_around after);
//   the rest   try_to_unmap -> kvm_unmap_gfn_range's write hold and TLBIs, ptep_clear_flush,
//              invalidate_range_end's write hold, add_to_swap + swap_writepage's submit (mm/swap.ts).
// No cost or setting changes; `--kswapd-share=<s>` is _reproBreakdown's what-if (kswapd gets s of a CPU).
//   npx esbuild bench/_kswapdCost.ts --bundle --platform=node --format=esm \
//     --outfile=.cache/bench/_kswapdCost.mjs && node .cache/bench/_kswapdCost.mjs [scenario] [--profile=<id>]
//     [--seed=n] [--kswapd-share=s]
import { loadavg } from 'node:os';
import * as L from '../engine/core/sim/simLayout.ts';
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import type { Policy, Promoter } from '../engine/core/mm/policy/policy.ts';
import { memcachedVariants } from './_memcachedVariants.ts';
import { argFlag, hookMethod, kswapdShareWhatIf, runInThread } from './_util.ts';

const flag = argFlag;
const seed = flag('seed') === undefined ? undefined : Number(flag('seed'));
kswapdShareWhatIf(true);

/** This run's sums (reset per variant). */
let agingNs = 0;
let agingSteps = 0;
let refNs = 0;
let refCalls = 0;
let depth = 0; // referenced re-entered from inside an aging step: counted there, not here

hookMethod(
  Pgdat.prototype,
  'kswapdAgeStep',
  (age0) =>
    function (this: Pgdat, policy: Policy, t: number): boolean {
      depth++;
      const more = age0.call(this, policy, t) as boolean;
      depth--;
      agingNs += this.t - t;
      agingSteps++;
      return more;
    },
);
hookMethod(
  Pgdat.prototype,
  'referenced',
  (ref0) =>
    function (this: Pgdat, id: number, promoter: Promoter | null): boolean {
      if (!this.kswapd || depth > 0) return ref0.call(this, id, promoter) as boolean;
      const t = this.t;
      const young = ref0.call(this, id, promoter) as boolean;
      refNs += this.t - t;
      refCalls++;
      return young;
    },
);

const us = (ns: number): string => (ns / 1e3).toFixed(2);
for (const v of memcachedVariants(seed)) {
  agingNs = 0;
  agingSteps = 0;
  refNs = 0;
  refCalls = 0;
  const t0 = performance.now();
  const sv = runInThread(v.config);
  const s = sv.stats;
  const total = s[L.GS_KSWAPD_NS];
  const evicted = s[L.GS_EVICTIONS] - s[L.GS_DIRECT_RECLAIM];
  const rest = total - agingNs - refNs;
  const perPage = total / Math.max(1, evicted);
  const durS = v.config.run.durationMs / 1e3;
  console.log(
    `== ${v.scenario} ${v.harvest} (whole run ${v.config.run.durationMs} ms); wall ${((performance.now() - t0) / 1e3).toFixed(1)} s, load ${loadavg()[0].toFixed(2)}`,
  );
  console.log(
    `evictions ${s[L.GS_EVICTIONS]} (kswapd ${evicted}, direct reclaim ${s[L.GS_DIRECT_RECLAIM]}); kswapd busy ${(total / 1e6).toFixed(1)} ms = ${((100 * total) / (durS * 1e9)).toFixed(1)} % of one CPU over the run`,
  );
  console.log(
    `per page kswapd evicted: ${us(perPage)} us = aging ${us(agingNs / Math.max(1, evicted))} (${agingSteps} steps) + folio_referenced ${us(refNs / Math.max(1, evicted))} (${(refCalls / Math.max(1, evicted)).toFixed(2)} calls, ${(refNs / Math.max(1, refCalls)).toFixed(0)} ns each) + unmap, flush, range_end, swap-out ${us(rest / Math.max(1, evicted))}; write-lock wait inside ${us(s[L.GS_KSWAPD_WRITE_WAIT_NS] / Math.max(1, evicted))}`,
  );
  const pps = 1e9 / perPage;
  console.log(
    `one kswapd at 100 % of a CPU at this cost: ${(pps / 1e3).toFixed(1)} k pages/s = ${((pps * 4096) / 1e9).toFixed(2)} GB/s of 4 KiB pages`,
  );
}
