/**
 * Assemble one guest on its owner worker from the config and the shared buffers: stage-2 table
 * (root allocated here), MMU lock handle, virtual qrwlock, TLBs, its mmu-notifier side (harvester),
 * its place on the host node's LRU (mm/pgdat.ts), and its vCPUs. Reclaim is host-wide: the worker's
 * one kswapd (mm/kswapd.ts) is created by composeWorker.ts, not here.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import type { Pgdat } from '../mm/pgdat.ts';
import type { ArenaViews } from '../layout.ts';
import { attachMmuLock } from '../kvm/mmuLock.ts';
import { PgtShape, stage2PgtInit, type MmOps, type Pgt } from '../arch/pgtable.ts';
import { ownShape } from '../ownShape.ts';
import { ipaLimit } from '../arch/walker.ts';
import type { RcuThread } from '../sync/rcu.ts';
import type { Actor } from './actor.ts';
import { Guest } from './guest.ts';
import { Harvester } from '../kvm/mmuNotifier.ts';
import type { HostFrames } from '../mm/hostFrames.ts';
import type { RunPlan } from './plan.ts';
import { Prng } from './prng.ts';
import { guestRegions, GS_WORDS, type SimViews } from './simLayout.ts';
import { Tlbs } from '../arch/tlb.ts';
import { VCpu } from './vcpu.ts';
import { VLock } from '../sync/vlock.ts';
import type { Dvm } from '../arch/dvm.ts';
import type { HypLock } from '../kvm/hypLock.ts';
import { C_LOCK_ACQUIRE } from './costs.ts';
import { SharedVLock } from '../sync/vlockShared.ts';
import { PassBarrier, WorkloadGen } from './workload.ts';
import { prefaultGuest } from './prefault.ts';
import { GUEST_MEMORY_BACKING } from '../kvm/faultinWritable.ts';

/**
 * Lock-word loads a waiter for a VM's MMU lock spins before sleeping in a spread run (mmuLock.ts
 * default: 64, ~1 us, for agents that may outnumber cores). With 64, 2-worker runs of bench/engine.ts's
 * 64-vCPU scenario slept and woke on ~1 % of acquisitions and the futex wait/notify pairs were ~5 % of
 * the workers' profiles (bench/_profileSpread.ts with --cpu-prof). Bounded, so a preempted holder (a
 * loaded machine) costs at most tens of microseconds of spinning before the futex.
 */
export const MMU_LOCK_SPREAD_SPINS = 2_000;

export interface WorkerEnv {
  config: ScenarioConfig;
  plan: RunPlan;
  arena: ArenaViews;
  sv: SimViews;
  rcu: RcuThread;
  mm: MmOps;
  costs: Float64Array;
  host: HostFrames;
  /** The worker's DVM calendar (arch/dvm.ts): every broadcast TLBI of its guests and kswapd queues on it. */
  dvm: Dvm;
  /**
   * pKVM's host_lock_component (host_mmu.lock at EL2, kvm/hypLock.ts): every share / unshare hypercall of
   * the worker's guests takes it. Booked on the pkvm profile only.
   */
  hypHostLock: HypLock;
  /** This worker's index (which of a guest's vCPUs it runs: plan.vcpuWorker). */
  worker: number;
}

/**
 * Spread runs (sim/spread.ts): what a guest shares across workers. The stage-2 root allocated
 * before the workers started, the guest's shared TLB array and flush counts, its MMU-lock calendar.
 */
export interface SharedGuestParts {
  root: number;
  tlb: Int32Array | null;
  /** The guest's two flush counts (arch/tlb.ts VmTlbFlush), shared so every worker's vCPUs see reclaim's flushes. */
  tlbGens: Int32Array;
  /** The guest's MMU lock in virtual time, one calendar for every worker (sync/vlockShared.ts); null: this worker's own (a test's control). */
  vlock: SharedArrayBuffer | null;
}

/** Stage-2 start level: 1 (39-bit IPA, three levels) covers every guest the lab accepts (<= 512 GiB). */
const START_LEVEL = 1;

/** Guest `index`, the k-th guest of this worker's node `pgdat`, with the vCPUs plan.vcpuWorker places on this worker. */
export function buildGuest(
  env: WorkerEnv,
  index: number,
  actors: Actor[],
  pgdat: Pgdat | null,
  k: number,
  shared: SharedGuestParts | null = null,
): Guest {
  const { config, plan, sv } = env;
  const spec = config.guests[index];
  const pages = plan.guestPages[index];
  const r = guestRegions(pages);
  const tlbSpec = config.reclaim.tlb;
  const pgt: Pgt =
    shared === null
      ? stage2PgtInit(env.arena, env.mm, START_LEVEL)
      : ownShape(PgtShape, {
          views: env.arena,
          root: shared.root,
          startLevel: START_LEVEL,
          ipaSize: ipaLimit(START_LEVEL),
          mm: env.mm,
        });
  const entries = Math.max(1, tlbSpec.entries);
  const vlock = shared?.vlock
    ? new SharedVLock(index, sv.lockHist, shared.vlock, sv.time, plan.quantumNs, env.worker, plan.workers)
    : new VLock(index, sv.lockHist);
  // queued_read_lock_slowpath's serial admission of readers queued behind a writer (sync/vlock.ts admitNs):
  // per reader, one wait_lock handoff and its cnts update, atomics at the profile's lockAcquire.
  vlock.admitNs = env.costs[C_LOCK_ACQUIRE];
  const g = new Guest({
    index,
    pages,
    pinned: spec.protected,
    pgt,
    // Spread runs: the VM's lock is taken by threads on both cores; kvm->mmu_lock is an rwlock_t
    // (qrwlock, arm64 KVM_HAVE_MMU_RWLOCK) that spins and never sleeps, and a hold here is one
    // stage-2 update (microseconds), so a waiter spins that long before it sleeps (MMU_LOCK_SPREAD_SPINS).
    // cpu: this worker's own acquisition counters (layout.ts lockCpu), plain adds, not a shared atomic add.
    lock: attachMmuLock(
      env.arena,
      index,
      shared === null ? { cpu: env.worker } : { spins: MMU_LOCK_SPREAD_SPINS, cpu: env.worker },
    ),
    vlock,
    rcu: env.rcu,
    tlbs: tlbSpec.enabled ? new Tlbs(spec.vcpus, entries, shared?.tlb ?? undefined) : null,
    tlbGens: shared?.tlbGens,
    flags: sv.pageFlags[index].subarray(r.flags, r.flags + pages),
    evictedAt: sv.pagesF64[index],
    evictBuckets: sv.evictBuckets.subarray(index * 2 * sv.buckets, (index + 1) * 2 * sv.buckets),
    stats: sv.stats,
    costs: env.costs,
    host: env.host,
    dvm: env.dvm,
    hypHostLock: env.hypHostLock,
    config,
    // Spread runs take frames from their worker's budget at min instead (mm/hostFrames.ts useBudgets).
    deferMin: plan.workers > 1 && !plan.spread,
    opHist: sv.opHist,
  });
  // guests[].memoryBacking: whether a read fault maps stage-2 writable (kvm/faultinWritable.ts).
  g.backing = spec.memoryBacking ?? GUEST_MEMORY_BACKING;
  const hw = config.hardware;
  g.harvester = new Harvester(g, {
    mode: spec.protected ? 'none' : config.reclaim.harvest,
    // kvm_arch_has_test_clear_young(): cpu_has_hw_af() && !is_protected_kvm_enabled() (the seed's gate).
    fastPathAllowed: (hw.hafdbs || config.reclaim.allowLocklessWithoutHafdbs) && !hw.pkvm,
    // should_walk_mmu(): arch_has_hw_pte_young().
    walkMmu: hw.hafdbs,
    rmapFlushYoung: config.reclaim.rmapFlushYoung ?? true,
  });
  if (pgdat === null) throw new Error(`guest ${index}: no host node`);
  g.pgdat = pgdat;
  g.idBase = pgdat.idOf(k, 0);
  g.lruvec = pgdat.policyOf(k);
  g.swapArea = pgdat.swap;
  pgdat.attach(k, g);
  // max_guest_memory_test's host pre-fault, by the VMM before its vCPUs run (sim/prefault.ts). A
  // pass-barrier workload never spreads (plan.ts canSpread), so this worker builds every vCPU of the guest too.
  if (spec.workload.kind === 'scan' && spec.workload.prefault === true) prefaultGuest(g, env.host);
  // The pass rendezvous records its times in the guest's counters (GS_PASSES, GS_PASS_END_NS).
  const barrier = new PassBarrier(spec.vcpus, sv.stats, index * GS_WORDS);
  // max_guest_memory_test's reset step between two runs: on x86 (the 'ipi-kick' flush is the lab's x86
  // hardware) the CR0.WP toggle drops every vCPU's TDP MMU root and the root is zapped (Guest.zapRoot).
  const wl = spec.workload;
  if (wl.kind === 'scan' && wl.resetZapsRoot === true && wl.passes !== undefined && hw.remoteTlbFlush === 'ipi-kick') {
    const passes = wl.passes;
    barrier.onRelease = (done) => {
      if (done < passes) g.zapRoot();
    };
  }
  const here = plan.vcpuWorker[index];
  for (let v = 0; v < spec.vcpus; v++) {
    if (here[v] !== env.worker) continue;
    const prng = new Prng(config.run.seed, index * 4096 + v);
    const wl = new WorkloadGen(spec.workload, pages, prng, v, spec.vcpus, sv.traces[index] ?? undefined, barrier);
    actors.push(new VCpu(g, v, wl, config.hardware.hafdbs, 0, shared !== null));
  }
  return g;
}
