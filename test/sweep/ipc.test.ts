/**
 * Sweeps through main's IPC seams (main/ipc, engine/host/sweepService.ts) with a fake engine: the
 * sender check guards lab:startSweep like every channel, a bad spec is one clear Result error, events
 * go on lab:sweepEvent to the window that started the sweep only, and only that window may stop it.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SweepService } from '../../engine/host/sweepService.ts';
import type { Result, SweepEvent } from '../../engine/protocol.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { repoRoot } from '../trace/traceFiles.ts';
import { fakeRuns, ipcHarness } from '../main/ipcHarness.ts';

async function setup() {
  const { start, stops } = fakeRuns();
  const sweeps = new SweepService({
    presets: () => loadPresetDir(path.join(repoRoot, 'presets')).set,
    defaultWorkers: () => 1,
    startRun: () => start(),
  });
  const { call, sent, sentEvent } = await ipcHarness(() => ({ sweeps }));
  return { call, sent, sentEvent, stops };
}

const SPEC = { scenario: 'seed-debate', axes: { 'reclaim.harvest': ['lockless', 'none'] }, seeds: [1] };

describe('lab:startSweep / lab:stopSweep / lab:sweepEvent', () => {
  it('refuses a foreign frame before anything runs', async () => {
    const { call, sent } = await setup();
    const r = await call('lab:startSweep', [SPEC, {}], { url: 'https://evil.example/' });
    expect(r).toMatchObject({ ok: false, error: { name: 'ForbiddenSender' } });
    expect(sent).toHaveLength(0);
  });

  it('a bad spec is one clear Result error', async () => {
    const { call } = await setup();
    const r = await call<Result<unknown>>('lab:startSweep', [{ ...SPEC, axes: { 'host.memoryMb': [1] } }, {}]);
    expect(r.ok && r.value).toEqual({
      ok: false,
      error: {
        name: 'SweepSpecError',
        message: "axes: unknown config path 'host.memoryMb' (did you mean host.memoryMiB?)",
      },
    });
  });

  it('events go to the starting window only; another window cannot stop it; its owner can', async () => {
    const { call, sent, sentEvent, stops } = await setup();
    const r = await call<Result<{ sweepId: string }>>('lab:startSweep', [SPEC, { workers: 1 }]);
    if (!r.ok || !r.value.ok) throw new Error(JSON.stringify(r));
    const sweepId = r.value.value.sweepId;
    const sweepEvent = (type: SweepEvent['type']) =>
      sentEvent((s) => s.channel === 'lab:sweepEvent' && (s.payload as SweepEvent).type === type, `'${type}'`);
    // The first run's 'sweep-run': it finished, and the second run is in flight (runLocalSweep starts the
    // next run in the same step, engine/host/sweep.ts; the fake's later runs last 400 ms unless stopped).
    await sweepEvent('sweep-run');
    await call('lab:stopSweep', [sweepId], { id: 2 });
    expect(stops).toEqual([]);
    await call('lab:stopSweep', [sweepId], { id: 1 });
    expect(stops).toEqual([1]);
    await sweepEvent('sweep-done');
    const events = sent.filter((s) => s.channel === 'lab:sweepEvent');
    expect(events.every((s) => s.to === 1)).toBe(true);
    expect(events.map((e) => (e.payload as SweepEvent).type)).toEqual(['sweep-started', 'sweep-run', 'sweep-done']);
    expect(events.at(-1)!.payload).toMatchObject({ stopped: true });
  });

  it('lab:sweepStats computes each point from its summaries and refuses a malformed argument', async () => {
    const { call } = await setup();
    const summary = (misses: number) => ({ misses, accesses: 10, guests: [] });
    const r = await call<Result<{ misses: { mean: number; n: number }; missRatio: { mean: number } }[]>>(
      'lab:sweepStats',
      [[[summary(4), summary(6)], [summary(1)]]],
    );
    if (!r.ok || !r.value.ok) throw new Error(JSON.stringify(r));
    expect(r.value.value.map((p) => [p.misses.mean, p.misses.n, p.missRatio.mean])).toEqual([
      [5, 2, 0.5],
      [1, 1, 0.1],
    ]);
    const bad = await call<Result<unknown>>('lab:sweepStats', ['nope']);
    expect(bad.ok && bad.value).toMatchObject({ ok: false, error: { name: 'BadArgument' } });
  });
});
