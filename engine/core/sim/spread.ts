/**
 * Spread runs (plan.spread): a VM's vCPUs on several workers, the host node's reclaim on worker 0,
 * all on the same SharedArrayBuffer stage-2 (what the kernel does: vCPU threads on their host CPUs,
 * kswapd on its own, one kvm->mmu_lock and one stage-2 per VM).
 *
 * Contract (what runs where, and what is shared for real):
 * - worker 0 holds the node (mm/pgdat.ts: the one host lruvec, kswapd, direct reclaim, aging, the
 *   rmap walk through the mmu notifier) and a Guest for every VM, plus its share of the vCPUs;
 *   workers >= 1 hold a Guest per VM (same stage-2 root, same MMU lock word, same page flags and
 *   eviction times, same TLB array) with their share of the vCPUs and no reclaim side.
 * - Races that happen for real, between threads: the vCPUs' hardware-AF cmpxchg (vcpu.ts translate)
 *   vs testClearYoung's cmpxchg (reclaim's aging and look-around, lockless under RCU) vs unmap under
 *   the write lock (break-before-make); vCPU walks inside RCU read-side sections while reclaim
 *   unlinks table pages and frees them through callRcu; two vCPUs faulting the same gfn (the loser
 *   sees the winner's leaf: Guest.map). Counted: cmpxchg failures (GS_CMPXCHG_FAIL) and the table
 *   frees deferred while another thread was inside a read-side section (rcu.ts RCU_DEFERRED_VS_READERS).
 * - RCU: each worker is one RCU thread; its actors run every scheduler step inside one read-side
 *   section (simCore.runUntil). That is the vCPU's hardware walker: the kernel frees unlinked stage-2
 *   tables through call_rcu (stage2_free_unlinked_table) after the TLBI + DSB that ends in-flight walks.
 * - TLBs: shared per guest; a vCPU that inserts a translation re-reads the leaf afterwards and drops
 *   the entry when reclaim cleared it in between (vcpu.ts), the TLBI + DSB guarantee that no walk
 *   started before an invalidation leaves an entry behind.
 * - lru_add: pages mapped on a worker >= 1 reach the lruvec through that worker's ring (mm/lruAdd.ts),
 *   drained by worker 0 at every scheduler step and at the barrier.
 * - Frames: the host's free count is shared (atomics). A fault on a worker >= 1 that finds none
 *   waits and retries (reclaim_throttle, waiting for kswapd); min-watermark clusters owed by a guest
 *   (simCore.settleMinWatermark) are paid by its vCPUs on worker 0.
 *
 * Approximated (stated, not hidden): virtual time is per worker inside a quantum (workers meet at the
 * quantum barrier), so the virtual MMU lock (sync/vlock.ts) is a calendar per worker: a vCPU on
 * worker 1 never waits in virtual time behind kswapd's write holds on worker 0 (the real rwlock still
 * excludes them in real time). Direct reclaim runs only on worker 0. A page waits off the LRU for up
 * to one scheduler step of worker 0 instead of a FOLIO_BATCH_SIZE batch.
 */
import type { ArenaViews } from '../layout.ts';
import { allocTablePage } from '../arch/arena.ts';
import { LruAddRing, lruAddRingWords } from '../mm/lruAdd.ts';
import { HEADS, Pgdat } from '../mm/pgdat.ts';
import { attachSharedLru, createSharedLruBuffers, type LockedLruvec } from '../mm/sharedLru.ts';
import { sharedVLockBytes, sharedVLockRecords } from '../sync/vlockShared.ts';
import type { Policy, Reclaimer } from '../mm/policy/policy.ts';
import { C_S2_FAULT, costTable } from './costs.ts';
import type { RunPlan } from './plan.ts';
import type { ScenarioConfig } from '../../protocol.ts';
import { createSpreadBuffers, PG_LRU, type SimBuffers, type SpreadBuffers } from './simLayout.ts';

/**
 * Entries of one worker's lru_add ring: every vCPU of the run could fault once per C_S2_FAULT of
 * virtual time for two quanta (worker 0 drains at least once a quantum, at the barrier) — so a
 * producer never waits in practice; capped at 4 Mi entries (16 MiB), beyond which it waits (lruAdd.ts).
 */
export function lruAddRingEntries(config: ScenarioConfig, plan: RunPlan): number {
  const faultNs = Math.max(1, costTable(config.hardware)[C_S2_FAULT]);
  const vcpus = config.guests.reduce((n, g) => n + g.vcpus, 0);
  return Math.min(1 << 22, Math.ceil(2 * vcpus * (plan.quantumNs / faultNs + 2)) + 1024);
}

/**
 * The spread run's buffers, with every guest's stage-2 root allocated and the shared host lruvec
 * initialised (mm/sharedLru.ts: the node built once here, `fresh`), before any worker starts.
 */
export function prepareSpread(b: SimBuffers, arena: ArenaViews, config: ScenarioConfig, plan: RunPlan): SpreadBuffers {
  const tlb = config.reclaim.tlb;
  const pages = plan.guestPages.reduce((a, p) => a + p, 0);
  const lru = createSharedLruBuffers(pages, HEADS, 1);
  const all = config.guests.map((_, g) => g);
  new Pgdat(config, plan.guestPages, all, new Float64Array(b.stats), 1, attachSharedLru(lru, true, null));
  const s = createSpreadBuffers(
    b,
    plan.workers,
    lruAddRingWords(lruAddRingEntries(config, plan)),
    config.guests.map((g) => (tlb.enabled ? g.vcpus * Math.max(1, tlb.entries) : 0)),
    lru,
    sharedVLockBytes(
      sharedVLockRecords(
        config.guests.reduce((n, g) => n + g.vcpus, 0),
        plan.quantumNs,
        costTable(config.hardware)[C_S2_FAULT],
      ),
    ),
  );
  const roots = new Int32Array(s.roots);
  for (let g = 0; g < config.guests.length; g++) {
    const root = allocTablePage(arena);
    if (root < 0) throw new Error('stage-2 init: no table page for the root');
    roots[g] = root;
  }
  return s;
}

/** The arena MMU-lock number of a spread run's lru_lock (mm/sharedLru.ts): after the guests' MMU locks. */
export const lruLockId = (config: ScenarioConfig): number => config.guests.length;

/** Arena MMU locks a run needs: one per guest, and a spread run's lru_lock. */
export const arenaLocks = (config: ScenarioConfig, plan: RunPlan): number =>
  config.guests.length + (plan.spread ? 1 : 0);

/** First host-wide page id of each guest on the one host lruvec (mm/pgdat.ts ids: guests in order). */
export function idBases(plan: RunPlan): number[] {
  const out: number[] = [];
  let at = 0;
  for (const p of plan.guestPages) {
    out.push(at);
    at += p;
  }
  return out;
}

/**
 * A vCPU worker's stand-in for the host lruvec: the only thing a fault does to the LRU is
 * folio_add_lru, which goes to the worker's lru_add ring. Everything else belongs to reclaim, which
 * is not on this worker (calling it is a bug).
 */
export class RemoteLruvec implements Policy {
  readonly seesEveryAccess = false;

  constructor(private readonly ring: LruAddRing) {}

  onMap(id: number): void {
    this.ring.add(id);
  }

  onAccess(): void {
    throw new Error('spread run: a policy that sees every access cannot be spread (plan.ts canSpread)');
  }

  pickVictim(_r: Reclaimer, _inline: boolean): number {
    return notHere();
  }

  wantsAging(): boolean {
    return notHere();
  }

  beginAging(): void {
    notHere();
  }

  ageStep(_r: Reclaimer): boolean {
    return notHere();
  }

  size(): number {
    return notHere();
  }

  inactivePages(): number {
    return notHere();
  }
}

function notHere(): never {
  throw new Error('spread run: reclaim runs on worker 0 only');
}

/**
 * Worker 0's side of the lru_add rings: drain every worker's ring onto the host lruvec, marking each
 * page PG_LRU (`flags[g]`: guest g's page flags; `bases`: first host-wide id of each guest). A ring's
 * batch moves in one lru_lock hold (folio_batch_move_lru takes the lock once per batch).
 */
export class LruAddDrain {
  private readonly rings: LruAddRing[];
  private readonly onMap: (id: number) => void;
  private policy: Policy | null = null;
  private ring: LruAddRing | null = null;
  private moved = 0;
  private readonly moveBatch: (p: Policy) => void;

  constructor(
    s: SpreadBuffers,
    private readonly lruvec: LockedLruvec,
    flags: Uint8Array[],
    bases: number[],
  ) {
    this.rings = s.lruAdd.map((b) => new LruAddRing(new Int32Array(b)));
    this.onMap = (id) => {
      (this.policy as Policy).onMap(id);
      let g = bases.length - 1;
      while (bases[g] > id) g--;
      flags[g][id - bases[g]] |= PG_LRU;
    };
    this.moveBatch = (p) => {
      this.policy = p;
      this.moved += (this.ring as LruAddRing).drain(this.onMap);
      this.policy = null;
    };
  }

  /** lru_add_drain of every vCPU worker's batch; returns the pages moved. */
  drainAll(): number {
    this.moved = 0;
    for (const r of this.rings) {
      if (r.pending() === 0) continue;
      this.ring = r;
      this.lruvec.locked(this.moveBatch);
    }
    this.ring = null;
    return this.moved;
  }
}

/** The ring worker `w` (>= 1) adds to. */
export function ringOf(s: SpreadBuffers, w: number): LruAddRing {
  return new LruAddRing(new Int32Array(s.lruAdd[w - 1]));
}
