/**
 * The trace-replay fast path (engine/core/sim/replay.ts) against the general path (VCpu.run +
 * Guest.fault/evictPages): same summary, same sample rows, same arena bytes (stage-2 tables, RCU and
 * allocator state), over policies, harvest modes, hardware with and without FEAT_HAFDBS, writes.
 * (active/inactive runs both paths in the oracle, test/sim/oracle.test.ts: its aging makes a longer
 * replay here cost ~15 s.)
 */
import { describe, expect, it } from 'vitest';
import type { ReclaimSpec, RunResult, ScenarioConfig } from '../../engine/protocol.ts';
import { TraceReplay } from '../../engine/core/sim/replay.ts';
import { VCpu } from '../../engine/core/sim/vcpu.ts';
import type { Policy } from '../../engine/core/mm/policy/policy.ts';
import type { ActiveInactive } from '../../engine/core/mm/policy/activeInactive.ts';
import { replayEligible, selectReplay } from '../../engine/core/sim/replaySelect.ts';
import { prepareRun, runInProcess } from '../../engine/core/sim/run.ts';
import { SimWorkerCore } from '../../engine/core/sim/simCore.ts';
import { planRun } from '../../engine/core/sim/plan.ts';
import { attachArena, LOCK_WORDS } from '../../engine/core/layout.ts';
import { GS_ACCESSES } from '../../engine/core/sim/simLayout.ts';
import { cloudPhysicsTrace, hardware, oracleScenario, runOnThread } from './fixtures.ts';

const PREFIX = 20_000;
const trace = (): Uint32Array => cloudPhysicsTrace().subarray(0, PREFIX);

interface Both {
  result: RunResult;
  arena: Uint8Array;
  fast: boolean;
  /** The MMU locks' wait and hold histograms (VLock / LoneLock; not part of RunResult). */
  lockHist: Float64Array;
  /** The guest's lruvec (its policy state outside the arena: ActiveInactive.workingset). */
  lruvec: Policy;
}

function run(config: ScenarioConfig, replay: boolean, pages = trace()): Both {
  const { p, result, fast, core } = runOnThread(config, { cloudPhysicsIO: pages }, replay);
  // Everything but the MMU locks' words: the fast path does not take the real rwlock (one agent,
  // nobody to exclude; replay.ts), so only the lock's acquisition counters may differ (the shared
  // words and each thread's own, layout.ts lockCpu, which follow them).
  const v = attachArena(p.buffers.arena);
  const arena = new Uint8Array(p.buffers.arena.slice(0));
  new Int32Array(arena.buffer).fill(0, v.locks, v.locks + v.maxLocks * LOCK_WORDS);
  new Int32Array(arena.buffer).fill(0, v.lockCpu, v.lockCpu + v.maxThreads * v.lockCpuStride);
  const actor = core.actorList.find((a) => a instanceof VCpu || a instanceof TraceReplay) as VCpu | TraceReplay;
  return { result, arena, fast, lockHist: new Float64Array(p.buffers.lockHist.slice(0)), lruvec: actor.g.lruvec };
}

function scenario(
  policy: ReclaimSpec['policy'],
  o: {
    harvest?: ReclaimSpec['harvest'];
    noHafdbs?: boolean;
    pkvm?: boolean;
    writes?: number;
    mapYoung?: boolean;
    capacity?: number;
  } = {},
): ScenarioConfig {
  const c = oracleScenario({
    policy,
    capacity: o.capacity ?? 1000,
    harvest: o.harvest,
    mapYoung: o.mapYoung,
    hw: o.noHafdbs ? hardware('phone-prev82') : o.pkvm ? hardware('pkvm') : undefined,
  });
  c.guests[0].workload = { kind: 'trace', trace: 'cloudPhysicsIO', writeFraction: o.writes ?? 0, thinkNs: 0 };
  c.run.sampleIntervalMs = 50; // several sample rows and eviction-precision buckets
  c.run.refaultWindowMs = 50;
  return c;
}

describe('trace replay fast path (replay.ts) = the general path', () => {
  it.each([
    ['exact-lru', {}],
    ['clock', {}],
    ['clock', { harvest: 'none' as const }],
    ['mglru', {}],
    ['mglru', { harvest: 'locked-write' as const, mapYoung: true }],
    ['clock', { noHafdbs: true, writes: 0.3, harvest: 'locked-write' as const }],
    ['mglru', { noHafdbs: true, writes: 0.2, mapYoung: true, harvest: 'locked-read' as const }],
    // pKVM (6.14+): the fault's map under kvm_fault_lock's write lock with the share HVC in the hold
    // (replayFault.ts faultWrite, mapHold), the lone lock's histogram counting writes. Control, run by hand
    // (session 13): replayMmu.ts faultWrite = false (the replay taking the read lock) fails this case on
    // the lock histogram (30,056 read grants against 0).
    ['clock', { pkvm: true, writes: 0.2, harvest: 'hypercall' as const }],
  ] as const)('%s %j: identical summary, samples and arena', (policy, o) => {
    const config = scenario(policy, o);
    const general = run(config, false);
    const fast = run(config, true);
    expect(general.fast).toBe(false);
    expect(fast.fast).toBe(true);
    const { wallMs: _a, ...g } = general.result;
    const { wallMs: _b, ...f } = fast.result;
    expect(f.summary.accesses).toBe(PREFIX);
    expect(Object.values(f.samples)[0].length).toBeGreaterThan(3);
    expect(f).toEqual(g);
    expect(Buffer.from(fast.arena).equals(Buffer.from(general.arena))).toBe(true);
    // The fast path counts its faults' and evictions' lock grants at flush (replay.ts faultsN,
    // evictsN): the histograms must hold what VLock counted per request.
    expect(fast.lockHist.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(fast.lockHist).toEqual(general.lockHist);
  });

  it('active-inactive: a fault that finds no frame costs the same on both paths (identical summary, samples, arena)', () => {
    // Classic LRU with the fault's folio_mark_accessed (s14-g): faulted pages go active, so once the host is
    // full the inactive list runs empty behind the aging gate and faults find no frame (allocFrame's -1; the
    // first at 138 ms here). The general path runs the lone vCPU in STOP_CHECK_NS pieces and may suspend such
    // a fault between two folios (a scan-again, then the empty list); the replay runs the quantum in one call
    // and does not. They agree only if a frameless fault's trap and reclaim count the same either way
    // (Guest.noFrameAt). Control, run by hand (session 14): with allocFrame's -1 charging `t - t0` and the
    // retry at the fault's entry + FRAME_RETRY_NS again (the code before s14-o), this case fails on
    // summary.vcpuStallNs; before, the shorter it.each prefix never reached a suspended frameless fault.
    const config = scenario('active-inactive', { capacity: 10_000 });
    config.run.durationMs = 400;
    const general = run(config, false, cloudPhysicsTrace());
    const fast = run(config, true, cloudPhysicsTrace());
    expect(general.fast).toBe(false);
    expect(fast.fast).toBe(true);
    const { wallMs: _a, ...g } = general.result;
    const { wallMs: _b, ...f } = fast.result;
    expect(f.summary.misses).toBeGreaterThan(10_000); // the host (10,000 pages) filled: evictions ran
    expect(f).toEqual(g);
    expect(Buffer.from(fast.arena).equals(Buffer.from(general.arena))).toBe(true);
    expect(fast.lockHist).toEqual(general.lockHist);
    // The classic LRU's state outside the arena: refault activations and do_try_to_free_pages'
    // snapshot_refaults (the replay's direct reclaim takes it at each cluster's end, as allocFrame).
    // Control, run by hand (session 14): replayFault.ts without its two pg.snapshotRefaults() calls fails
    // here on `snapshot` (its results above still agree: DEACTIVATE_ANON is due anyway while the inactive
    // list is low, as it is whenever it is read in this run).
    const ws = (b: Both): unknown => (b.lruvec as ActiveInactive).workingset();
    expect((ws(fast) as { activations: number }).activations).toBeGreaterThan(0);
    expect(ws(fast)).toEqual(ws(general));
  });

  it('negative control: the comparison sees a one-bit change of the model (mapYoung)', () => {
    const a = run(scenario('clock', { mapYoung: false }), true);
    const b = run(scenario('clock', { mapYoung: true }), true);
    expect(a.result.summary.misses).not.toBe(b.result.summary.misses);
    expect(Buffer.from(a.arena).equals(Buffer.from(b.arena))).toBe(false);
  });

  it('is chosen only for one worker, one guest, one vCPU, a trace, demand-only, no TLB', () => {
    const base = scenario('exact-lru');
    const plan = (c: ScenarioConfig): ReturnType<typeof planRun> => planRun(c, 1);
    expect(replayEligible(base, plan(base))).toBe(true);
    const variants: ScenarioConfig[] = [
      { ...base, run: { ...base.run, demandOnly: false } },
      { ...base, reclaim: { ...base.reclaim, tlb: { ...base.reclaim.tlb, enabled: true } } },
      { ...base, guests: [{ ...base.guests[0], vcpus: 2 }] },
      {
        ...base,
        guests: [{ ...base.guests[0], workload: { kind: 'uniform', pages: 100, writeFraction: 0, thinkNs: 0 } }],
      },
      { ...base, guests: [base.guests[0], { ...base.guests[0], name: 'g1' }] },
    ];
    for (const v of variants) expect(replayEligible(v, plan(v))).toBe(false);
    // runInProcess takes it by default (the oracle runs both ways, test/sim/oracle.test.ts).
    const p = prepareRun(base, { cloudPhysicsIO: trace() }, 1);
    const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, { rows: () => {}, progress: () => {} });
    expect(selectReplay(core.actorList, p.config, p.plan)).toBe(true);
    expect(core.actorList.some((a) => a instanceof TraceReplay)).toBe(true);
    const r = runInProcess(base, { cloudPhysicsIO: trace() });
    expect(r.summary.accesses).toBe(PREFIX);
  });

  it('alone on its worker it runs a whole quantum in one call and still sees a stop', () => {
    const actor = (): TraceReplay => {
      const p = prepareRun(scenario('exact-lru'), { cloudPhysicsIO: trace() }, 1);
      const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, { rows: () => {}, progress: () => {} });
      selectReplay(core.actorList, p.config, p.plan);
      return core.actorList.find((a) => a instanceof TraceReplay) as TraceReplay;
    };
    const never = actor();
    never.runAlone(1e15, { stopRequested: () => false });
    expect(never.done).toBe(true); // the whole trace in one call
    let asked = 0;
    const stopped = actor();
    stopped.runAlone(1e15, { stopRequested: () => ++asked > 0 });
    expect(asked).toBe(1);
    expect(stopped.done).toBe(false);
    // Stopped at the first check, within a bounded number of requests (replay.ts STOP_EVERY).
    stopped.flush();
    const made = stopped.g.stats[stopped.g.sb + GS_ACCESSES];
    expect(made).toBeGreaterThan(0);
    expect(made).toBeLessThan(2048);
  });
});
