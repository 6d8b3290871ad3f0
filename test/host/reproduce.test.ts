/**
 * The reproduction runner (engine/host/reproduce.ts) and the LabApi side both hosts share
 * (engine/host/reproduceService.ts): runs shared by reproductions run once, at most `concurrency` at a
 * time; each reproduction's figures are computed from its own runs as soon as they are done; stop drops
 * partial runs and keeps delivered results; a failed run names itself and its reproductions; the
 * inputs listed come from the presets. A fake engine answers with summaries set per harvest mode, so
 * every figure has a known value. The last test runs the real engine on worker_threads with the
 * reproduction presets shortened (test only: 30 virtual ms) to check real curves reach the result.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPRODUCTIONS, reproductionConfigs, variantKey } from '../../engine/core/repro/reproductions.ts';
import { runReproductionJob, type ReproRunHandle } from '../../engine/host/reproduce.ts';
import { ReproductionService } from '../../engine/host/reproduceService.ts';
import { startRun } from '../../engine/host/engine.ts';
import { nodeSpawner } from '../../engine/host/node/spawn.ts';
import type { ReproEvent, RunResult, RunSummary, ScenarioConfig } from '../../engine/protocol.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { makeRunResult } from '../session/fixtures.ts';
import { simWorkerPath } from '../sim/hostRun.ts';
import { repoRoot } from '../trace/traceFiles.ts';

const presets = () => loadPresetDir(path.join(repoRoot, 'presets')).set;

/**
 * Summary figures per run: the patch (lockless) 1.5x ops; run 2 (the second pass, passEndMs[1] -
 * passEndMs[0]) 12x shorter, active/inactive in between. Pass 1 lasts differently and the access rate
 * is the same in every run, so a figure computed from the whole run or its rate would come out wrong.
 */
function fakeSummary(config: ScenarioConfig): RunSummary {
  const locked = config.reclaim.harvest === 'locked-write';
  const base = makeRunResult(2).summary;
  const run1 = locked ? 50 : 700;
  const run2 = config.reclaim.policy === 'active-inactive' ? 400 : locked ? 1200 : 100;
  return {
    ...base,
    opsPerSec: locked ? 100 : 150,
    opLatencyP99Ns: locked ? 271 : 159,
    throughput: 500,
    kswapdWriteWaitShare: locked ? 0.2 : 0.01,
    guests: [{ ...base.guests[0], passEndMs: [run1, run1 + run2] }, ...base.guests.slice(1)],
  };
}

/** A fake engine: runs finish when the test says (finish(key)), or fail, or are stopped. */
function fakeEngine() {
  const started: string[] = [];
  const stopped: string[] = [];
  const pending = new Map<string, { resolve(r: RunResult): void; reject(e: Error): void; config: ScenarioConfig }>();
  let inFlight = 0;
  let maxInFlight = 0;
  const startRunFake = (key: string, config: ScenarioConfig, onProgress: (f: number) => void): ReproRunHandle => {
    started.push(key);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    onProgress(0.5);
    const done = new Promise<RunResult>((resolve, reject) => pending.set(key, { resolve, reject, config }));
    void done.then(
      () => inFlight--,
      () => inFlight--,
    );
    return {
      done,
      stop: () => {
        stopped.push(key);
        const p = pending.get(key);
        pending.delete(key);
        p?.resolve({ ...makeRunResult(2), config, summary: fakeSummary(config), stopped: true });
      },
    };
  };
  const finish = async (key: string) => {
    const p = pending.get(key);
    if (!p) throw new Error(`${key} is not running`);
    pending.delete(key);
    p.resolve({ ...makeRunResult(3), config: p.config, summary: fakeSummary(p.config), stopped: false });
    await new Promise((r) => setTimeout(r, 0));
  };
  const failRun = async (key: string, message: string) => {
    const p = pending.get(key);
    if (!p) throw new Error(`${key} is not running`);
    pending.delete(key);
    p.reject(new Error(message));
    await new Promise((r) => setTimeout(r, 0));
  };
  return { startRun: startRunFake, finish, failRun, started, stopped, pending, maxInFlight: () => maxInFlight };
}

function job(ids: string[], concurrency = 2) {
  const repros = ids.map((id) => REPRODUCTIONS.find((r) => r.id === id)!);
  const configs = reproductionConfigs(presets(), repros);
  if (!configs.ok) throw new Error(configs.error.message);
  const engine = fakeEngine();
  const events: ReproEvent[] = [];
  const j = runReproductionJob({
    jobId: 'j',
    repros,
    configs: configs.value,
    concurrency,
    startRun: engine.startRun,
    onEvent: (e) => events.push(e),
  });
  return { j, engine, events, configs: configs.value, repros };
}

const key = (reproId: string, variant: string) =>
  variantKey(REPRODUCTIONS.find((r) => r.id === reproId)!.variants.find((v) => v.key === variant)!);

describe('reproductionConfigs', () => {
  // `lab reproduce --profile`: a what-if on another machine, e.g. v1 on x86 where the test ran.
  // Control (run by hand, reverted): the hardware override not passed to resolveScenario -> ampere-altra.
  it("runs every variant on its scenario's hardware, or on the one a what-if names; an unknown one is a clear error", () => {
    const repros = REPRODUCTIONS.filter((r) => r.id === 'repro-v1-mglru');
    const own = reproductionConfigs(presets(), repros);
    const x86 = reproductionConfigs(presets(), repros, 'x86-workstation');
    if (!own.ok || !x86.ok) throw new Error('configs');
    expect([...own.value.values()].map((c) => c.hardware.id)).toEqual(['ampere-altra', 'ampere-altra']);
    expect([...x86.value.values()].map((c) => c.hardware.id)).toEqual(['x86-workstation', 'x86-workstation']);
    // Only the hardware differs: the workload, host and harvest of each variant are the published setup's.
    for (const [k, c] of own.value) expect({ ...x86.value.get(k)!, hardware: c.hardware }).toEqual(c);
    const bad = reproductionConfigs(presets(), repros, 'nope');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/unknown hardware profile 'nope' \(known: .*x86-workstation/);
  });
});

describe('runReproductionJob', () => {
  it('runs shared runs once, at most `concurrency` at a time, and computes each figure from its own runs', async () => {
    const ids = ['repro-v1-mglru', 'repro-v1-active-inactive'];
    const { j, engine, events, configs } = job(ids, 2);
    // v1-mglru's two runs are also active-inactive's 'mglru-before' / 'mglru-after': 3 runs, not 5.
    expect(configs.size).toBe(3);
    expect(engine.started).toEqual([key('repro-v1-mglru', 'before'), key('repro-v1-mglru', 'after')]);
    await engine.finish(key('repro-v1-mglru', 'after'));
    expect(events.filter((e) => e.type === 'repro-result')).toHaveLength(0);
    await engine.finish(key('repro-v1-mglru', 'before'));
    const first = events.filter((e) => e.type === 'repro-result');
    expect(first).toHaveLength(1);
    expect(engine.maxInFlight()).toBe(2);
    await engine.finish(key('repro-v1-active-inactive', 'off'));
    const out = await j.done;
    expect(engine.started).toHaveLength(3);
    expect(out.stopped).toBe(false);
    expect(out.results.map((r) => r.id)).toEqual(ids);
    const [mglru, ai] = out.results;
    expect(mglru.figures.map((f) => [f.id, f.lab, f.inBand])).toEqual([
      ['time-ratio', 12, true],
      ['kswapd-write-wait-before', 0.2, true],
      ['kswapd-write-wait-after', 0.01, true],
    ]);
    // run 2: (400 - 100) / (1200 - 100)
    expect(ai.figures[0].lab).toBeCloseTo(300 / 1100, 12);
    expect(ai.figures[0]).toMatchObject({ published: 200 / 550, band: [0, 1], bandText: '[0, 1]', inBand: true });
    // Each run of a result carries its harvest mode, policy and curves (the engine's samples).
    expect(ai.runs.map((r) => [r.key, r.harvest, r.policy, r.samples.tMs.length])).toEqual([
      ['mglru-before', 'locked-write', 'mglru', 3],
      ['mglru-after', 'lockless', 'mglru', 3],
      ['off', 'lockless', 'active-inactive', 3],
    ]);
    const progress = events.filter((e) => e.type === 'repro-progress');
    expect(progress.at(-1)).toMatchObject({ done: 3, total: 3, fraction: 1, running: [] });
    expect(progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1].fraction)).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'repro-done', jobId: 'j', stopped: false });
  });

  it('an out-of-band figure says so', async () => {
    const { j, engine } = job(['repro-memcached-arm64']);
    await engine.finish(key('repro-memcached-arm64', 'before'));
    await engine.finish(key('repro-memcached-arm64', 'after'));
    const [r] = (await j.done).results;
    expect(r.figures.map((f) => [f.id, f.inBand])).toEqual([
      ['ops-ratio', true],
      ['p99-change', true],
    ]);
    expect(r.figures[1].lab).toBeCloseTo(159 / 271 - 1, 12);
    // The same arithmetic against its band: the fake v2 ratio (12) is far above [1.1, 1.5].
    const v2 = job(['repro-v2-baseline']);
    await v2.engine.finish(key('repro-v2-baseline', 'before'));
    await v2.engine.finish(key('repro-v2-baseline', 'after'));
    expect((await v2.j.done).results[0].figures[0]).toMatchObject({ lab: 12, inBand: false, bandText: '[1.1, 1.5]' });
  });

  it('stop: runs going are stopped, their partial results dropped, delivered results stand, nothing new starts', async () => {
    const { j, engine, events } = job(['repro-memcached-arm64', 'repro-v2-baseline'], 2);
    await engine.finish(key('repro-memcached-arm64', 'before'));
    await engine.finish(key('repro-memcached-arm64', 'after'));
    // memcached delivered; v2's two runs are going.
    expect(engine.pending.size).toBe(2);
    await engine.finish(key('repro-v2-baseline', 'before'));
    j.stop();
    const out = await j.done;
    expect(engine.stopped).toEqual([key('repro-v2-baseline', 'after')]);
    expect(out.stopped).toBe(true);
    expect(out.results.map((r) => r.id)).toEqual(['repro-memcached-arm64']);
    expect(events.filter((e) => e.type === 'repro-result')).toHaveLength(1);
    expect(events.at(-1)).toEqual({ type: 'repro-done', jobId: 'j', stopped: true });
    expect(engine.started).toHaveLength(4);
  });

  it('a failed run ends the job with an error naming the run and its reproductions; earlier results stand', async () => {
    const { j, engine, events } = job(['repro-v2-baseline', 'repro-v1-mglru', 'repro-v1-active-inactive'], 1);
    await engine.finish(key('repro-v2-baseline', 'before'));
    await engine.finish(key('repro-v2-baseline', 'after'));
    await engine.failRun(key('repro-v1-mglru', 'before'), 'worker crashed');
    const out = await j.done;
    expect(out.results.map((r) => r.id)).toEqual(['repro-v2-baseline']);
    expect(out.error?.message).toBe(
      `repro-v1-mglru, repro-v1-active-inactive: run ${key('repro-v1-mglru', 'before')} failed: worker crashed`,
    );
    expect(events.at(-1)).toMatchObject({ type: 'repro-error', error: { name: 'ReproductionRunFailed' } });
    // Nothing started after the failure.
    expect(engine.started).toHaveLength(3);
  });
});

describe('runReproductionJob: a run stopped by someone else', () => {
  it('is partial: an error naming the run, and no figure from it', async () => {
    const { j, engine, events } = job(['repro-v2-baseline'], 2);
    await engine.finish(key('repro-v2-baseline', 'before'));
    // The engine stops the other run on its own (not the job's stop): its result says `stopped`.
    const p = engine.pending.get(key('repro-v2-baseline', 'after'))!;
    engine.pending.delete(key('repro-v2-baseline', 'after'));
    p.resolve({ ...makeRunResult(2), config: p.config, summary: fakeSummary(p.config), stopped: true });
    const out = await j.done;
    expect(out.results).toEqual([]);
    expect(out.error?.message).toBe(
      `repro-v2-baseline: run ${key('repro-v2-baseline', 'after')} failed: it was stopped before the end of its virtual time`,
    );
    expect(events.filter((e) => e.type === 'repro-result')).toHaveLength(0);
  });
});

describe('ReproductionService', () => {
  function service() {
    const engine = fakeEngine();
    let n = 0;
    const s = new ReproductionService({
      presets,
      concurrency: () => 1,
      startRun: (config, onProgress) => engine.startRun(`run-${n++}`, config, onProgress),
    });
    return { s, engine };
  }

  it('lists every reproduction with its figures and inputs read from the presets (costs with their sources)', () => {
    const { s } = service();
    const r = s.list();
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.map((x) => x.id)).toEqual(REPRODUCTIONS.map((x) => x.id));
    const set = presets();
    for (const info of r.value) {
      const preset = set.scenarios.get(info.scenario)!;
      expect(info.description).toBe(preset.description);
      const hw = set.hardware.get(preset.hardware)!;
      const memAccess = info.inputs.find((i) => i.name === 'cost memAccess')!;
      expect(memAccess).toEqual({
        name: 'cost memAccess',
        value: `${hw.costs.memAccess.ns} ns`,
        source: hw.costs.memAccess.source,
      });
      expect(info.inputs.find((i) => i.name === 'host memory')?.value).toBe(`${preset.host.memoryMiB} MiB`);
      expect(info.inputs.every((i) => i.source.length > 0)).toBe(true);
    }
    const mc = r.value.find((x) => x.id === 'repro-memcached-arm64')!;
    expect(mc.variants).toEqual([
      { key: 'before', harvest: 'locked-write', policy: 'mglru' },
      { key: 'after', harvest: 'lockless', policy: 'mglru' },
    ]);
    expect(mc.figures[0]).toMatchObject({ id: 'ops-ratio', band: [1.3, 1.8], bandText: '[1.3, 1.8]' });
  });

  it('refuses bad ids with a clear message, a second job of the same owner, and a stop from another owner', async () => {
    const { s, engine } = service();
    const owner = (id: number, events: ReproEvent[]) => ({ id, send: (e: ReproEvent) => events.push(e) });
    expect(s.start('repro-v2-baseline', owner(1, []))).toMatchObject({ ok: false, error: { name: 'BadArgument' } });
    expect(s.start([], owner(1, []))).toMatchObject({ ok: false, error: { name: 'BadArgument' } });
    expect(s.start([42], owner(1, []))).toMatchObject({ ok: false, error: { name: 'BadArgument' } });
    expect(s.start(['repro-nope'], owner(1, []))).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^unknown reproduction 'repro-nope' \(known: repro-memcached-arm64, /) },
    });
    expect(engine.started).toHaveLength(0);
    const mine: ReproEvent[] = [];
    const r = s.start(['repro-v2-baseline'], owner(1, mine));
    if (!r.ok) throw new Error(r.error.message);
    expect(s.start(['repro-v2-baseline'], owner(1, []))).toMatchObject({
      ok: false,
      error: { name: 'ReproductionBusy' },
    });
    expect(s.stop(r.value.jobId, 2)).toBe(false);
    expect(engine.stopped).toEqual([]);
    expect(s.stop(r.value.jobId, 1)).toBe(true);
    await new Promise((res) => setTimeout(res, 0));
    expect(engine.stopped).toEqual(['run-0']);
    expect(mine.at(-1)).toMatchObject({ type: 'repro-done', stopped: true });
    // The job is over: the owner may start again.
    expect(s.start(['repro-v2-baseline'], owner(1, [])).ok).toBe(true);
  });

  it('on the real engine (presets shortened to 30 virtual ms for the test): results carry the runs’ sampled curves', async () => {
    const set = presets();
    for (const [id, p] of set.scenarios)
      if (id.startsWith('repro-'))
        set.scenarios.set(id, { ...p, run: { ...p.run, durationMs: 30, sampleIntervalMs: 10 } });
    const s = new ReproductionService({
      presets: () => set,
      concurrency: () => 2,
      startRun: (config, onProgress) => {
        const h = startRun(config, {
          spawnWorker: nodeSpawner(simWorkerPath()),
          cores: 2,
          onEvent: (e) => e.type === 'progress' && onProgress(e.fraction),
        });
        return { done: h.done, stop: () => h.stop() };
      },
    });
    const events: ReproEvent[] = [];
    const ended = new Promise<void>((resolve) =>
      s.start(['repro-v2-baseline'], {
        id: 1,
        send: (e) => {
          events.push(e);
          if (e.type === 'repro-done' || e.type === 'repro-error') resolve();
        },
      }),
    );
    await ended;
    expect(events.at(-1)).toEqual({ type: 'repro-done', jobId: expect.any(String), stopped: false });
    const result = events.find((e) => e.type === 'repro-result');
    if (result?.type !== 'repro-result') throw new Error('no result');
    const [before, after] = result.result.runs;
    expect([before.harvest, after.harvest]).toEqual(['locked-write', 'lockless']);
    for (const run of result.result.runs) {
      expect(Array.from(run.samples.tMs)).toEqual([10, 20, 30]);
      expect(run.summary.accesses).toBeGreaterThan(0);
      // The curve is the run's own: its accesses per interval sum to the summary's.
      expect(Array.from(run.samples.accesses).reduce((a, b) => a + b, 0)).toBe(run.summary.accesses);
    }
    // 30 virtual ms end the runs long before pass 2 completes: the figure is NaN (out of band), not a guess.
    const fig = result.result.figures[0];
    for (const run of [before, after]) expect(run.summary.guests[0].passEndMs?.length ?? 0).toBeLessThan(2);
    expect(fig.lab).toBeNaN();
    expect(fig.inBand).toBe(false);
  }, 60_000);
});
