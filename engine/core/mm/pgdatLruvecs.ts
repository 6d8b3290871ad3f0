/**
 * The host node's lists (struct pglist_data's __lruvec, or each memcg's lruvec in mem_cgroup_per_node:
 * mm/vmscan.c, mm/memcontrol.c): the page ids of the guests this worker holds, one host lruvec or one
 * per guest memcg (reclaim.lruvec), each with its policy (mm/policy/), the per-page tags and folio
 * flags, the node's counters (pgdat->kswapd_failures) and the swap area over its guests
 * (mm/swapReadahead.ts). Built once per run; the base of mm/pgdat.ts's Pgdat, which adds the reclaim
 * entry points (shrink_node, folio_referenced, walk_mm, throttling).
 *
 * Page ids: guest g's page gfn is id base[g] + gfn, over the guests this worker owns. The lists live
 * in worker-local memory (only this worker's reclaim touches them), except in a spread run, where every
 * worker holds the node over every guest on one lruvec in shared memory, each policy call under lru_lock
 * (mm/sharedLru.ts). Otherwise with the host lruvec every guest is on one worker (plan.ts).
 * Fields other files read are public; only they, this class and Pgdat write them.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { DList } from '../sim/dlist.ts';
import type { Policy } from './policy/policy.ts';
import { makePolicy } from './policy/makePolicy.ts';
import { GS_RESIDENT, GS_WORDS } from '../sim/simLayout.ts';
import { PAGE_CLUSTER, SwapArea, swapDeviceSlots } from './swapReadahead.ts';
import { ssdReadLatencyNs } from './swap.ts';
import {
  LockedLruvec,
  LRUVEC_POLICY_WORDS,
  LRUVEC_WORDS,
  PGDAT_KSWAPD_FAILURES,
  PGDAT_WORDS,
  type SharedLru,
} from './sharedLru.ts';
import { PMD_PAGES } from './reclaimConsts.ts';
import { CTRL_WORDS } from './policy/mglruConsts.ts';

/** List heads per lruvec (MGLRU uses MAX_NR_GENS of them). */
export const HEADS = 8;

export interface Lruvec {
  policy: Policy;
  first: number;
  end: number;
  /** The guest (config index) of a memcg lruvec. */
  guest: number;
  /** Nothing evictable there in this shrinkNode call. */
  skip: boolean;
}

export class PgdatLruvecs {
  /** base[k]: first id of this worker's k-th guest. */
  readonly base: number[] = [];
  /**
   * pmdBase[k]: the key of the k-th guest's first PTE table (one per PMD_PAGES gfns of the VMM's mapping of
   * its memory), the keys of MGLRU's Bloom filters; pmdKeys of them over the node.
   */
  readonly pmdBase: number[] = [];
  private pmdKeys = 0;
  readonly total: number;
  /** The policies' per-page tags (MGLRU seq & 0xffff, active/inactive list), by host-wide id (heat map). */
  readonly tag: Int16Array;
  /** MGLRU's per-page folio flags (LRU_REFS, PG_workingset, shadow mark), by host-wide id (mglruRefault.ts). */
  readonly folioFlags: Uint8Array;
  readonly lruvecs: Lruvec[] = [];
  /** The lruvec of each local guest. */
  readonly lruvecOf: Lruvec[] = [];
  /** reclaim.lookaround: lru_gen_look_around from folio_referenced (mm/folioReferenced.ts). */
  readonly lookaround: boolean;
  /** Every guest's counters (all workers'), for proportional scanning between memcgs. */
  readonly allStats: Float64Array;
  /** Config indices of the guests whose memory is evictable (not protected). */
  readonly unpinned: number[];
  /** Other workers hold memcgs too (parallel runs): kswapd leaves a memcg that is ahead of its share. */
  private readonly sharedNode: boolean;
  /**
   * pgdat->kswapd_failures: balance_pgdat runs that freed nothing; wakeup_kswapd ignores the node at
   * MAX_RECLAIM_RETRIES, and any reclaim progress (shrink_node) resets it. In `state` (shared in a
   * spread run: direct reclaim on any worker resets it).
   */
  get kswapdFailures(): number {
    return this.state[PGDAT_KSWAPD_FAILURES];
  }

  set kswapdFailures(n: number) {
    this.state[PGDAT_KSWAPD_FAILURES] = n;
  }

  /** The node's and its lruvecs' counters (mm/sharedLru.ts layout): local, or the spread run's shared ones. */
  private readonly state: Float64Array;
  /** The swap device's slots over this node's guests, with an SSD (mm/swapReadahead.ts); null with zram. */
  readonly swap: SwapArea | null;

  constructor(
    config: ScenarioConfig,
    guestPages: number[],
    guestIndices: number[],
    stats: Float64Array,
    workers = 1,
    /** Spread runs: the lruvec in shared memory, under lru_lock (mm/sharedLru.ts); else worker-local. */
    shared?: SharedLru,
  ) {
    this.allStats = stats;
    this.unpinned = config.guests.flatMap((g, i) => (g.protected ? [] : [i]));
    this.sharedNode = workers > 1;
    let total = 0;
    for (const g of guestIndices) {
      this.base.push(total);
      this.pmdBase.push(this.pmdKeys);
      total += guestPages[g];
      this.pmdKeys += Math.ceil(guestPages[g] / PMD_PAGES);
    }
    this.total = total;
    const perGuest = (config.reclaim.lruvec ?? 'host') === 'memcg';
    const nLruvecs = perGuest ? guestIndices.length : 1;
    // prev/next links (pages, then HEADS sentinels per lruvec) and a 16-bit tag per page: 10 bytes a page.
    const heads = HEADS * Math.max(1, nLruvecs);
    const links = shared?.links ?? new Int32Array(2 * (total + heads));
    if (links.length !== 2 * (total + heads)) throw new Error('shared lruvec: links sized for another node');
    const list = new DList(links, 0, total + heads);
    const tag = shared?.tag ?? new Int16Array(Math.max(1, total));
    this.tag = tag;
    const folioFlags = shared?.folioFlags ?? new Uint8Array(Math.max(1, total));
    this.folioFlags = folioFlags;
    this.state = shared?.state ?? new Float64Array(PGDAT_WORDS + nLruvecs * LRUVEC_WORDS);
    const fresh = shared?.fresh ?? true;
    if (fresh) this.state[PGDAT_KSWAPD_FAILURES] = 0;
    for (let k = 0; k < nLruvecs; k++) {
      const first = perGuest ? this.base[k] : 0;
      const end = perGuest ? this.base[k] + guestPages[guestIndices[k]] : total;
      // Aging passes are counted on the lruvec's first guest.
      const sb = guestIndices[k] * GS_WORDS;
      const at = PGDAT_WORDS + k * LRUVEC_WORDS;
      const ps = { state: this.state.subarray(at, at + LRUVEC_POLICY_WORDS), gateAt: at + LRUVEC_POLICY_WORDS, fresh };
      // The Bloom filters over the node's PTE tables (mm/policy/bloomFilter.ts): shared with the spread run's lruvec.
      const filters = shared?.filters ?? new Uint8Array(2 * this.pmdKeys);
      if (filters.length !== 2 * this.pmdKeys) throw new Error('shared lruvec: Bloom filters sized for another node');
      // MGLRU's PID controller counters: the spread run's shared ones (null: the policy's own).
      const ctrl = shared ? shared.ctrl.subarray(k * CTRL_WORDS, (k + 1) * CTRL_WORDS) : null;
      const own = makePolicy(config, list, tag, folioFlags, first, end, total + k * HEADS, stats, sb, this.state, {
        ...ps,
        filters,
        ctrl,
      });
      const policy = shared?.lock ? new LockedLruvec(own, shared.lock, list) : own;
      this.lruvecs.push({ policy, first, end, guest: guestIndices[k] ?? 0, skip: false });
      this.lruvecPolicies.push(policy);
    }
    for (let k = 0; k < guestIndices.length; k++) this.lruvecOf.push(this.lruvecs[perGuest ? k : 0]);
    this.lookaround = config.reclaim.lookaround;
    this.swap =
      config.host.swap.device === 'ssd'
        ? new SwapArea(list, swapDeviceSlots(config), PAGE_CLUSTER, config.run.seed, ssdReadLatencyNs(config))
        : null;
  }

  idOf(k: number, gfn: number): number {
    return this.base[k] + gfn;
  }

  policyOf(k: number): Policy {
    return this.lruvecOf[k].policy;
  }

  /** Local guest index of id (few guests: a linear scan from the end). */
  guestOf(id: number): number {
    let k = this.base.length - 1;
    while (this.base[k] > id) k--;
    return k;
  }

  /** The lruvecs, for kswapd's aging decisions. */
  readonly lruvecPolicies: Policy[] = [];

  /**
   * The share of the node's one kswapd this worker's reclaim stands for: its guests' share of the
   * node's evictable (resident, unpinned) pages. 1 with one worker. In a parallel run each worker runs
   * a kswapd over its own memcgs; stretching its busy time by 1/share makes the workers' kswapds
   * together work at the rate of one (one kswapd per node, time-shared across memcgs).
   */
  kswapdShare(): number {
    if (!this.sharedNode) return 1;
    const st = this.allStats;
    let all = 0;
    let mine = 0;
    for (const g of this.unpinned) all += st[g * GS_WORDS + GS_RESIDENT];
    for (const l of this.lruvecs) if (this.unpinned.includes(l.guest)) mine += st[l.guest * GS_WORDS + GS_RESIDENT];
    return all > 0 && mine > 0 ? mine / all : 1;
  }
}
