/**
 * The engine host on real worker_threads: same numbers as in-process, parallel agrees with
 * deterministic, events in order, pause/stop, bad configs rejected at start, crashes become errors.
 */
import { describe, expect, it } from 'vitest';
import { planRun } from '../../engine/core/sim/plan.ts';
import { runInProcess } from '../../engine/core/sim/run.ts';
import { startRun } from '../../engine/host/engine.ts';
import type { WorkerLike } from '../../engine/host/messages.ts';
import type { RunEvent } from '../../engine/protocol.ts';
import { agreement, debateScenario, hardware, medianAgreement, outsideTolerance } from './fixtures.ts';
import type { Agreement } from './fixtures.ts';
import { runOnWorkers, startOnWorkers } from './hostRun.ts';

const altra = hardware('ampere-altra');

describe('engine host (worker_threads)', () => {
  it('a deterministic run on a worker is bit-identical to the in-process run, and to a repeat', async () => {
    const config = debateScenario({ hw: altra, harvest: 'lockless', durationMs: 60 });
    const a = await runOnWorkers(config);
    const b = await runOnWorkers(config);
    const c = runInProcess(config);
    expect(a.summary).toEqual(b.summary);
    expect(a.summary).toEqual(c.summary);
    expect(a.samples).toEqual(c.samples);
    expect(a.samples.tMs.length).toBe(6);
  });

  // Tolerances and why: fixtures.ts PARALLEL_TOLERANCE. Real threads, so the schedule differs run to run;
  // parallel.test.ts pins the model against both extreme schedules without threads.
  it.each([1, 2])(
    'parallel (2 workers) agrees with deterministic, seed %i, 500 ms: hit rate within 0.5 pp (web 0.8, db 0.9, batch 3.5 pp), accesses within 5.5%',
    async (seed) => {
      const det = debateScenario({ hw: altra, harvest: 'lockless', durationMs: 500, seed, lruvec: 'memcg' });
      const par = { ...det, run: { ...det.run, deterministic: false, workers: 2 } };
      const d = await runOnWorkers(det);
      // Real threads: each parallel run is another schedule. A bias shows in every run; a rare
      // schedule does not (seeds 1-6 x 2 on real threads, memcg: db -0.07..-0.32 pp, one run of
      // about 20 at -0.712 against the 0.7 pp bound). So one run inside the tolerance passes; one
      // outside is followed by two more, and the median of the three is what must be inside.
      const runs: Agreement[] = [];
      for (let i = 0; i < 3; i++) {
        const p = await runOnWorkers(par);
        expect(p.workers).toBe(2);
        runs.push(agreement(p, d));
        if (outsideTolerance(runs[0]).length === 0) break;
      }
      const a = medianAgreement(runs);
      expect(outsideTolerance(a), JSON.stringify(runs)).toEqual([]);
      expect(Math.abs(a.hitRatePp)).toBeLessThan(1); // the acceptance criterion itself
    },
  );

  it('emits state, progress, samples in order and done; samples match the result', async () => {
    const { handle, events } = startOnWorkers(debateScenario({ hw: altra, harvest: 'lockless', durationMs: 50 }));
    const r = await handle.done;
    const states = events.filter((e) => e.type === 'state').map((e) => (e as { state: string }).state);
    expect(states).toEqual(['starting', 'running', 'done']);
    const rows = events.filter((e): e is Extract<RunEvent, { type: 'samples' }> => e.type === 'samples');
    const tMs = rows.flatMap((e) => Array.from(e.columns.tMs));
    expect(tMs).toEqual(Array.from(r.samples.tMs));
    expect(events.some((e) => e.type === 'progress')).toBe(true);
    expect(events[events.length - 2].type).toBe('done');
  });

  it("heat-map columns arrive as 'heat' events before 'done' and equal RunResult.heatmap; heatmap: false turns them off", async () => {
    const config = debateScenario({ hw: altra, harvest: 'lockless', durationMs: 60 });
    config.run = { ...config.run, deterministic: false, workers: 2 };
    const { handle, events } = startOnWorkers(config);
    const r = await handle.done;
    const heat = events.filter((e): e is Extract<RunEvent, { type: 'heat' }> => e.type === 'heat');
    const done = events.findIndex((e) => e.type === 'done');
    expect(heat.length).toBeGreaterThanOrEqual(config.guests.length * 6);
    expect(events.findIndex((e) => e.type === 'heat')).toBeLessThan(done);
    const hm = r.heatmap!;
    expect(hm.guests.map((g) => g.name)).toEqual(config.guests.map((g) => g.name));
    // A spread run samples its guests on both workers (plan.heatWorker), every guest on exactly one.
    const plan = planRun(config, 2);
    expect(plan.spread).toBe(true);
    expect(new Set(plan.heatWorker)).toEqual(new Set([0, 1]));
    for (const [g, gh] of hm.guests.entries()) {
      const mine = heat.filter((e) => e.guest === g);
      expect(mine.length).toBeGreaterThanOrEqual(6);
      expect(new Set(mine.map((e) => e.tMs)).size).toBe(mine.length);
      expect(Array.from(gh.tMs)).toEqual(mine.map((e) => e.tMs));
      expect(gh.cells.subarray(0, mine[0].cells.length)).toEqual(mine[0].cells);
    }
    const off = await runOnWorkers(config, { heatmap: false });
    expect(off.heatmap).toBeUndefined();
  });

  // Driven by the run's own events, not wall-clock waits: pause once a 'progress' event shows the run is
  // under way, resume once a 'progress' sent after the pause shows the worker reached it (its quantum's
  // serial section flushes at once when a pause is asked for, workerMain.ts urgent), and stop once a
  // 'progress' past that point shows the run went on after resume. Negative control (run by hand,
  // reverted): resume() that does not clear CTL_PAUSE -> this test times out waiting for the progress
  // after resume; the old fixed-wait version passed with it (stop() clears CTL_PAUSE too).
  it('stop ends the run early with stopped = true; pause/resume keep it going', async () => {
    const { handle, events, until } = startOnWorkers(
      debateScenario({ hw: altra, harvest: 'lockless', durationMs: 3_000_000 }),
    );
    type Progress = Extract<RunEvent, { type: 'progress' }>;
    const progressAfter =
      (seen: Set<RunEvent>, pastMs: number) =>
      (e: RunEvent): e is Progress =>
        e.type === 'progress' && !seen.has(e) && e.virtualMs > pastMs;
    const first = await until(progressAfter(new Set(), 0), 'its first progress');
    handle.pause();
    // The worker says where it parks ('parked', SimSink.parked), which the host passes on as a progress
    // even at the time of the last one (`first` itself, hence first.virtualMs - 1): one arrives after the pause.
    const paused = await until(progressAfter(new Set(events), first.virtualMs - 1), 'a progress after the pause');
    handle.resume();
    const resumed = await until(progressAfter(new Set(events), paused.virtualMs), 'a progress after resume');
    handle.stop();
    const r = await handle.done;
    expect(r.stopped).toBe(true);
    expect(r.summary.virtualMs).toBeGreaterThanOrEqual(resumed.virtualMs);
    expect(r.summary.virtualMs).toBeLessThan(3_000_000);
    expect(events.map((e) => (e.type === 'state' ? e.state : '')).filter(Boolean)).toEqual([
      'starting',
      'running',
      'paused',
      'running',
      'stopping',
      'done',
    ]);
  });

  it('rejects bad parameters at start with a clear error', () => {
    const bad = debateScenario({ hw: altra, harvest: 'lockless' });
    bad.guests[0].memoryMiB = -4;
    bad.host.swap.device = 'none';
    const start = (): unknown => startOnWorkers(bad);
    expect(start).toThrow(/guests\[0\] 'web'\.memoryMiB/);
    const noHafdbs = debateScenario({ hw: hardware('phone-prev82'), harvest: 'lockless' });
    expect(() => startOnWorkers(noHafdbs)).toThrow(/FEAT_HAFDBS/);
    const overcommitNoSwap = debateScenario({ hw: altra, harvest: 'lockless' });
    overcommitNoSwap.host.swap.device = 'none';
    expect(() => startOnWorkers(overcommitNoSwap)).toThrow(/swap/);
  });

  it('a worker that throws mid-run becomes an error event and rejects done', async () => {
    const { handle, events } = startOnWorkers(debateScenario({ hw: altra, harvest: 'lockless', durationMs: 100 }), {
      failAfterQuanta: 5,
    });
    await expect(handle.done).rejects.toThrow(/injected crash/);
    expect(events.some((e) => e.type === 'error')).toBe(true);
    expect(events[events.length - 1]).toMatchObject({ type: 'state', state: 'failed' });
  });

  it('a crash in one of two parallel workers fails the run instead of hanging the other at the barrier', async () => {
    const cfg = debateScenario({ hw: altra, harvest: 'lockless', durationMs: 100, deterministic: false, workers: 2 });
    const { handle } = startOnWorkers(cfg, { failAfterQuanta: 3 });
    await expect(handle.done).rejects.toThrow(/injected crash/);
  });

  // The race behind CI's timeout at 81020b9: a pause asked for just after a serial section posted its
  // progress parks the worker at that same virtual time. The host drops a repeated 'progress' (a peer's
  // older news), so its parking must come as 'parked', which the host always passes on. Negative control
  // (run by hand, reverted): the host dropping a 'parked' at the last progress's time (<=) -> [5], not [5, 5].
  it("a worker's 'parked' at the virtual time of its last progress still reaches the listener", () => {
    const events: RunEvent[] = [];
    let deliver: (m: Parameters<Parameters<WorkerLike['onMessage']>[0]>[0]) => void = () => {};
    const fake = (): WorkerLike => ({
      postMessage: () => {},
      terminate: () => {},
      onMessage: (h) => (deliver = h),
      onError: () => {},
    });
    const h = startRun(debateScenario({ hw: altra, harvest: 'lockless' }), {
      spawnWorker: fake,
      onEvent: (e) => events.push(e),
    });
    h.done.catch(() => {});
    const progress = (): number[] => events.flatMap((e) => (e.type === 'progress' ? [e.virtualMs] : []));
    deliver({ type: 'progress', virtualNs: 5e6 });
    h.pause();
    deliver({ type: 'progress', virtualNs: 5e6 }); // a repeat: dropped
    deliver({ type: 'parked', virtualNs: 5e6 });
    deliver({ type: 'parked', virtualNs: 4e6 }); // a peer's older time: dropped
    expect(progress()).toEqual([5, 5]);
    h.stop();
  });

  it('a worker that dies without a word (load failure) becomes an error event', async () => {
    const events: RunEvent[] = [];
    const dead = (): WorkerLike => {
      let onError: (e: { name: string; message: string }) => void = () => {};
      setTimeout(
        () => onError({ name: 'WorkerExit', message: 'simulation worker exited with code 1 before finishing' }),
        5,
      );
      return { postMessage: () => {}, terminate: () => {}, onMessage: () => {}, onError: (h) => (onError = h) };
    };
    const h = startRun(debateScenario({ hw: altra, harvest: 'lockless' }), {
      spawnWorker: dead,
      onEvent: (e) => events.push(e),
    });
    await expect(h.done).rejects.toThrow(/exited with code 1/);
    expect(events.filter((e) => e.type === 'error')).toHaveLength(1);
  });
});
