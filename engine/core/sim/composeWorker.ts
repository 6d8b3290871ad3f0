/**
 * The composition of one worker's share of a run (simCore.ts SimWorkerCore's constructor): its
 * environment (arena, RCU reader slot, MmOps, host frames, costs), the host node (Pgdat) it reclaims,
 * the guests it builds (buildGuest.ts) with their vCPU actors, kswapd, heat-map samplers and, in a
 * spread run, its lru_add batch.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { attachArena } from '../layout.ts';
import { ownShape } from '../ownShape.ts';
import { mmuMmOps } from '../kvm/mmu.ts';
import { rcuRegisterThread, type RcuThread } from '../sync/rcu.ts';
import type { Actor } from './actor.ts';
import { Kswapd, KSWAPD_POLL_NS } from '../mm/kswapd.ts';
import { Pgdat } from '../mm/pgdat.ts';
import { attachSharedLru, type LockedLruvec } from '../mm/sharedLru.ts';
import { attachMmuLock } from '../kvm/mmuLock.ts';
import { buildGuest, type SharedGuestParts, type WorkerEnv } from './buildGuest.ts';
import { costTable } from './costs.ts';
import type { Guest } from './guest.ts';
import { HostFrames } from '../mm/hostFrames.ts';
import { Dvm } from '../arch/dvm.ts';
import { HypLock } from '../kvm/hypLock.ts';
import { ageKindOf, GuestHeatSampler } from './heatmap.ts';
import type { RunPlan } from './plan.ts';
import { idBases, lruLockId } from './spread.ts';
import { LruAddBatch } from '../mm/lruAdd.ts';
import { TLB_GENS_STRIDE, type SimBuffers, type SimViews } from './simLayout.ts';

/**
 * Lock-word loads a worker spins on a busy lru_lock before sleeping (mm/sharedLru.ts). A hold is one
 * victim pick (a few microseconds of CPU); a futex sleep and wake-up cost more than that, and with the two
 * workers on their own cores 31 % of 221k acquisitions were contended (64-vCPU bench scenario, 4 guests,
 * load 2.2) with mmuLock.ts's default 64 spins. lru_lock is a spinlock in the kernel.
 */
const LRU_LOCK_SPINS = 4_000;

/** Test hooks (test/stress): bugs a negative control plants. Never set by the engine itself. */
export interface SimCoreHooks {
  /** Free unlinked stage-2 tables at once instead of through callRcu (kvm/mmu.ts mmuMmOps). */
  unsafeFreeWithoutGracePeriod?: boolean;
  /**
   * Spread runs: each worker books a VM's MMU-lock holds in its own calendar (sync/vlock.ts) instead of
   * the shared one (sync/vlockShared.ts), so a vCPU never waits in virtual time behind another worker's
   * holds: the approximation this lab had before the shared calendar (test/sim/spread.test.ts control).
   */
  perWorkerVLock?: boolean;
}

class WorkerEnvShape {}

/** What composeWorker builds for the worker's core. */
export interface ComposedWorker {
  env: WorkerEnv;
  rcu: RcuThread;
  /** The actors this worker runs, in scheduling order. */
  actors: Actor[];
  /** Heat-map samplers of this worker's guests (when the sink takes heat columns). */
  heat: { guest: number; sampler: GuestHeatSampler }[];
  /** Spread runs: this worker's lru_add batch (mm/lruAdd.ts); null otherwise. */
  lruAdd: LruAddBatch | null;
  /** Spread runs: this worker's guests (every guest); empty otherwise. */
  spreadGuests: Guest[];
}

/**
 * Builds worker `workerIndex`'s share of the run on `buffers` (`sv`: its views). `heatSink`: the sink
 * takes heat columns, so the guests this worker samples (plan.heatWorker) get a sampler.
 */
export function composeWorker(
  config: ScenarioConfig,
  plan: RunPlan,
  buffers: SimBuffers,
  workerIndex: number,
  sv: SimViews,
  heatSink: boolean,
  hooks: SimCoreHooks,
): ComposedWorker {
  const arena = attachArena(buffers.arena);
  const rcu = rcuRegisterThread(arena);
  // The composition (mmu.ts) wires the page tables' MmOps: emptied tables may still be read by
  // lockless walkers (testClearYoung), so they are freed through callRcu after a grace period.
  const mm = mmuMmOps(arena, rcu, { unsafeFreeWithoutGracePeriod: hooks.unsafeFreeWithoutGracePeriod });
  const host = new HostFrames(sv.control, plan.hostFrames, plan.minFrames, plan.lowFrames, plan.highFrames);
  const env: WorkerEnv = ownShape(WorkerEnvShape, {
    arena,
    sv,
    rcu,
    mm,
    costs: costTable(config.hardware),
    host,
    dvm: new Dvm(),
    hypHostLock: new HypLock(),
    config,
    plan,
    worker: workerIndex,
  });
  const actors: Actor[] = [];
  const heat: { guest: number; sampler: GuestHeatSampler }[] = [];
  let lruAdd: LruAddBatch | null = null;
  let spreadGuests: Guest[] = [];
  const spread = plan.spread ? buffers.spread : undefined;
  if (plan.spread && spread === undefined) throw new Error('spread run without its shared buffers (prepareRun)');
  const roots = spread ? new Int32Array(spread.roots) : null;
  // Frames above min from this worker's budget (spreadSettle.ts settleBudgets), refilled by its frees.
  if (spread && !config.run.demandOnly)
    host.useBudgets(new Int32Array(spread.budgets), new Float64Array(spread.shares), workerIndex);
  const shared = (g: number): SharedGuestParts | null =>
    spread && roots
      ? {
          root: roots[g],
          tlb: spread.tlbs[g] ? new Int32Array(spread.tlbs[g] as SharedArrayBuffer) : null,
          tlbGens: new Int32Array(spread.tlbGens, g * TLB_GENS_STRIDE * 4, 2),
          vlock: hooks.perWorkerVLock ? null : spread.vlocks[g],
        }
      : null;
  // The host node this worker reclaims (one kswapd per node; with the host lruvec every guest is here).
  // A spread run: every worker holds the node over every guest on the one shared lruvec (mm/sharedLru.ts),
  // so a vCPU's direct reclaim runs on its own worker, under lru_lock; kswapd (one per node) on worker 0.
  const mine: number[] = [];
  for (let g = 0; g < config.guests.length; g++) if (spread || plan.owner[g] === workerIndex) mine.push(g);
  const lru = spread
    ? attachSharedLru(
        spread.lru,
        false,
        attachMmuLock(arena, lruLockId(config), { spins: LRU_LOCK_SPINS, cpu: workerIndex }),
      )
    : undefined;
  // A spread run's node is reclaimed by one kswapd, not a share of one (workers = 1).
  const pgdat = new Pgdat(config, plan.guestPages, mine, sv.stats, plan.spread ? 1 : plan.workers, lru);
  const ageKind = ageKindOf(config.reclaim.policy);
  mine.forEach((g, k) => {
    const guest = buildGuest(env, g, actors, pgdat, k, shared(g));
    if (!heatSink || plan.heatWorker[g] !== workerIndex) return;
    // The policy's tags live on the node's lruvec, indexed by host-wide page id (mm/pgdat.ts).
    const src = { pages: guest.pages, flags: guest.flags, tag: pgdat.tag, tagBase: guest.idBase, pgt: guest.pgt };
    heat.push({ guest: g, sampler: new GuestHeatSampler(src, ageKind) });
  });
  if (!config.run.demandOnly && mine.some((g) => !config.guests[g].protected) && !(spread && workerIndex > 0))
    // Woken by this worker's faults; a node other workers allocate from is also polled (mm/kswapd.ts).
    actors.push(new Kswapd(pgdat, host, plan.workers > 1 || plan.spread ? KSWAPD_POLL_NS : Infinity));
  if (spread) {
    // Pages carry PG_LRU; a mapped page joins the LRU when this worker's lru_add batch moves.
    pgdat.lruFlag = true;
    const flags = config.guests.map((_, g) => pgdat.guests[g].flags);
    const batch = new LruAddBatch(pgdat.policyOf(0) as LockedLruvec, flags, idBases(plan));
    for (const g of pgdat.guests) g.lruAdd = batch;
    lruAdd = batch;
    spreadGuests = pgdat.guests;
  }
  return { env, rcu, actors, heat, lruAdd, spreadGuests };
}
