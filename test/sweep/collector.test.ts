/**
 * Collecting a sweep (engine/host/sweep.ts) and saving it (session v2): results land at their run
 * index whatever order they finish in, each index is taken once, a failed run fails the sweep with
 * its point named, stop keeps what finished; a sweep session round-trips and its record is checked
 * strictly (bad run index, a run in two points, sweeps in a v1 file).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planSweep, type SweepPlan } from '../../engine/core/sweep/plan.ts';
import { runLocalSweep, SweepCollector, type RunOneHandle } from '../../engine/host/sweep.ts';
import type { RunResult, SessionData, SweepEvent } from '../../engine/protocol.ts';
import { decodeSession, encodeSession } from '../../engine/session/index.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { makeRunResult, makeSession } from '../session/fixtures.ts';
import { repoRoot } from '../trace/traceFiles.ts';

const { set } = loadPresetDir(path.join(repoRoot, 'presets'));

function plan(): SweepPlan {
  const r = planSweep(
    { scenario: 'trace-oracle', axes: { 'reclaim.policy': ['exact-lru', 'clock', 'mglru'] }, seeds: [1, 2] },
    { set },
  );
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** A fake run: resolves after `delays[index]` ms with a result whose summary.misses = index. */
function fakeRun(index: number, delays: number[], fail?: number): RunOneHandle {
  const result = makeRunResult(3, index);
  result.summary.misses = index;
  let stop = () => {};
  const done = new Promise<RunResult>((resolve, reject) => {
    const t = setTimeout(
      () => (index === fail ? reject(new Error('worker exploded')) : resolve(result)),
      delays[index] ?? 1,
    );
    stop = () => {
      clearTimeout(t);
      resolve({ ...result, stopped: true });
    };
  });
  return { done, stop: () => stop() };
}

describe('SweepCollector', () => {
  it('takes each run index once and keeps index order', () => {
    const p = plan();
    const c = new SweepCollector(p);
    const r5 = makeRunResult(2, 5);
    expect(c.add(5, r5)).toMatchObject({ pointIndex: 2, seedIndex: 1, done: 1, total: 6 });
    expect(c.add(5, makeRunResult(2, 9))).toBeUndefined(); // duplicate: refused, not counted
    expect(c.done).toBe(1);
    expect(() => c.add(6, r5)).toThrow(RangeError);
    c.add(0, makeRunResult(2, 0));
    const { record, runs } = c.finish();
    expect(runs).toHaveLength(2);
    expect(record.points.map((pt) => pt.runs)).toEqual([
      [0, -1],
      [-1, -1],
      [-1, 1],
    ]);
  });
});

describe('runLocalSweep', () => {
  it('out-of-order completion gives the same record as in-order completion', async () => {
    const p = plan();
    const collect = async (delays: number[], concurrency: number) => {
      const events: SweepEvent[] = [];
      const h = runLocalSweep(p, {
        sweepId: 's',
        concurrency,
        runOne: (i) => fakeRun(i, delays),
        onEvent: (e) => events.push(e),
      });
      await h.done;
      return { finished: h.collector.finish(), events };
    };
    const a = await collect([1, 1, 1, 1, 1, 1], 1);
    const b = await collect([30, 5, 20, 1, 12, 2], 3);
    expect(b.finished.runs.map((r) => r.summary.misses)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(b.finished.record).toEqual(a.finished.record);
    expect(b.events[0].type).toBe('sweep-started');
    expect(b.events.at(-1)).toMatchObject({ type: 'sweep-done', stopped: false });
    const runs = b.events.filter((e) => e.type === 'sweep-run');
    expect(runs.map((e) => e.done)).toEqual([1, 2, 3, 4, 5, 6]);
    // Stats of the point once both seeds are in: misses 2 and 3 -> mean 2.5.
    const last = runs.find((e) => e.pointIndex === 1 && e.stats.misses.n === 2);
    expect(last?.stats.misses.mean).toBe(2.5);
  });

  it('never has more than `concurrency` runs in flight', async () => {
    const p = plan();
    let inFlight = 0;
    let peak = 0;
    const h = runLocalSweep(p, {
      sweepId: 's',
      concurrency: 2,
      runOne: (i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        const r = fakeRun(i, [5, 3, 8, 1, 2, 4]);
        void r.done.then(() => inFlight--);
        return r;
      },
      onEvent: () => {},
    });
    await h.done;
    expect(peak).toBe(2);
  });

  it('a failed run fails the sweep naming its point; runs done are kept', async () => {
    const p = plan();
    const events: SweepEvent[] = [];
    const h = runLocalSweep(p, {
      sweepId: 's',
      concurrency: 1,
      runOne: (i) => fakeRun(i, [], 3),
      onEvent: (e) => events.push(e),
    });
    await expect(h.done).rejects.toThrow('run 4 (clock) failed: worker exploded');
    expect(events.at(-1)).toMatchObject({ type: 'sweep-error' });
    expect(h.collector.done).toBe(3);
  });

  it('stop starts nothing new and drops the stopped runs', async () => {
    const p = plan();
    const h = runLocalSweep(p, {
      sweepId: 's',
      concurrency: 2,
      runOne: (i) => fakeRun(i, [1, 1, 10_000, 10_000, 1, 1]),
      onEvent: () => {},
    });
    await new Promise((r) => setTimeout(r, 100));
    h.stop();
    await expect(h.done).resolves.toEqual({ stopped: true });
    expect(h.collector.done).toBe(2);
  });
});

describe('session v2 with a sweep', () => {
  function sweepSession(): SessionData {
    const p = plan();
    const c = new SweepCollector(p);
    for (let i = 0; i < 6; i++) c.add(i, makeRunResult(4, i));
    const { record, runs } = c.finish();
    return { ...makeSession(runs), sweeps: [record] };
  }

  it('round-trips', () => {
    const s = sweepSession();
    const back = decodeSession(encodeSession(s));
    if (!back.ok) throw new Error(back.error.message);
    expect(back.value.sweeps).toEqual(s.sweeps);
    expect(back.value.runs).toHaveLength(6);
  });

  it('refuses a point naming a missing run, a run in two points, and sweeps in a v1 file', () => {
    const bad = (edit: (s: SessionData) => void): string => {
      const s = sweepSession();
      edit(s);
      expect(() => encodeSession(s)).toThrow();
      try {
        encodeSession(s);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(bad((s) => (s.sweeps![0].points[0].runs[0] = 6))).toMatch(/sweeps\[0\]\.points\[0\]\.runs\[0\]: 6 is above/);
    expect(bad((s) => (s.sweeps![0].points[1].runs[0] = 0))).toMatch(/run 0 already belongs to another point/);
    expect(bad((s) => (s.sweeps![0].points[0].runs = [0]))).toMatch(/expected 2 run indices/);
    expect(bad((s) => (s.version = 1))).toMatch(/sweeps: unknown key/);
  });
});
