/**
 * Assemble one guest on its owner worker from the config and the shared buffers: stage-2 table
 * (root allocated here), MMU lock handle, virtual lock, TLBs, policy, harvester, and its actors
 * (vCPUs, kswapd share; aging runs inside reclaim, see policy/agingGate.ts).
 */
import { assertNever, type ScenarioConfig } from '../../protocol.ts';
import type { ArenaViews } from '../layout.ts';
import { attachMmuLock } from '../mmuLock.ts';
import { stage2PgtInit, type MmOps } from '../pgtable.ts';
import type { RcuThread } from '../rcu.ts';
import type { Actor } from './actor.ts';
import { DList } from './dlist.ts';
import { Guest } from './guest.ts';
import { Harvester } from './harvest.ts';
import type { HostFrames } from './hostFrames.ts';
import type { RunPlan } from './plan.ts';
import { ActiveInactive } from './policy/activeInactive.ts';
import { Clock } from './policy/clock.ts';
import { ExactLru } from './policy/exactLru.ts';
import { AgingGate } from './policy/agingGate.ts';
import { Mglru } from './policy/mglru.ts';
import type { Policy } from './policy/policy.ts';
import { Prng } from './prng.ts';
import { Kswapd } from './reclaimActors.ts';
import { guestRegions, type SimViews } from './simLayout.ts';
import { Tlbs } from './tlb.ts';
import { VCpu } from './vcpu.ts';
import { VLock } from './vlock.ts';
import { WorkloadGen } from './workload.ts';

export interface WorkerEnv {
  config: ScenarioConfig;
  plan: RunPlan;
  arena: ArenaViews;
  sv: SimViews;
  rcu: RcuThread;
  mm: MmOps;
  costs: Float64Array;
  host: HostFrames;
}

/** Stage-2 start level: 1 (39-bit IPA, three levels) covers every guest the lab accepts (<= 512 GiB). */
const START_LEVEL = 1;

export function buildGuest(env: WorkerEnv, index: number, actors: Actor[]): Guest {
  const { config, plan, sv } = env;
  const spec = config.guests[index];
  const pages = plan.guestPages[index];
  const r = guestRegions(pages);
  const i32 = sv.pagesI32[index];
  const tlbSpec = config.reclaim.tlb;
  const g = new Guest({
    index,
    pages,
    pinned: spec.protected,
    pgt: stage2PgtInit(env.arena, env.mm, START_LEVEL),
    lock: attachMmuLock(env.arena, index),
    vlock: new VLock(sv.vlocks, index),
    rcu: env.rcu,
    tlbs: tlbSpec.enabled ? new Tlbs(spec.vcpus, Math.max(1, tlbSpec.entries)) : null,
    flags: i32.subarray(r.flags, r.flags + pages),
    evictedAt: sv.pagesF64[index],
    evictBuckets: sv.evictBuckets.subarray(index * 2 * sv.buckets, (index + 1) * 2 * sv.buckets),
    stats: sv.stats,
    costs: env.costs,
    host: env.host,
    config,
    deferMin: plan.workers > 1,
  });
  const list = new DList(i32, r.prev, r.next);
  g.policy = makePolicy(config, list, i32, r.tag, g, pages);
  g.harvester = new Harvester(g, spec.protected ? 'none' : config.reclaim.harvest);
  for (let v = 0; v < spec.vcpus; v++) {
    const prng = new Prng(config.run.seed, index * 4096 + v);
    const wl = new WorkloadGen(spec.workload, pages, prng, v, spec.vcpus, sv.traces[index] ?? undefined);
    actors.push(new VCpu(g, v, wl, config.hardware.hafdbs, 0));
  }
  if (!spec.protected && !config.run.demandOnly) actors.push(new Kswapd(g));
  return g;
}

function makePolicy(
  config: ScenarioConfig,
  list: DList,
  i32: Int32Array,
  tagBase: number,
  g: Guest,
  pages: number,
): Policy {
  const policy = config.reclaim.policy;
  const gate = new AgingGate(config.reclaim.agingIntervalMs * 1e6);
  switch (policy) {
    case 'exact-lru':
      return new ExactLru(list, pages);
    case 'clock':
      return new Clock(list, pages);
    case 'active-inactive':
      return new ActiveInactive(list, i32, tagBase, pages, g.stats, g.sb, gate);
    case 'mglru':
      return new Mglru(list, i32, tagBase, g.flags, pages, config.reclaim.lookaround, g.stats, g.sb, gate);
    default:
      return assertNever(policy, 'reclaim policy');
  }
}
