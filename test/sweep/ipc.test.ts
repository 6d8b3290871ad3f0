/**
 * Sweeps through main's IPC seams (main/ipc, engine/host/sweepService.ts) with a fake engine: the
 * sender check guards lab:startSweep like every channel, a bad spec is one clear Result error, events
 * go on lab:sweepEvent to the window that started the sweep only, and only that window may stop it.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SweepService } from '../../engine/host/sweepService.ts';
import type { Result, RunResult, SweepEvent } from '../../engine/protocol.ts';
import type { Wire } from '../../main/ipc/channels.ts';
import { createIpcHandlers } from '../../main/ipc/handlers.ts';
import { registerIpc, type InvokeEventLike } from '../../main/ipc/register.ts';
import { DocumentState } from '../../main/documents.ts';
import { createPresets } from '../../main/presets.ts';
import { RunRegistry } from '../../main/runs.ts';
import { isTrustedSender } from '../../main/security.ts';
import { createSessionFiles } from '../../main/sessionFiles.ts';
import { WindowTraces } from '../../main/traces.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { makeRunResult } from '../session/fixtures.ts';
import { repoRoot } from '../trace/traceFiles.ts';

async function setup() {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'lab-sweep-ipc-'));
  const stops: number[] = [];
  let started = 0;
  const sweeps = new SweepService({
    presets: () => loadPresetDir(path.join(repoRoot, 'presets')).set,
    defaultWorkers: () => 1,
    startRun: () => {
      const n = started++;
      let stop = () => {};
      const done = new Promise<RunResult>((resolve) => {
        const t = setTimeout(() => resolve(makeRunResult(2, n)), n === 0 ? 5 : 400);
        stop = () => {
          clearTimeout(t);
          stops.push(n);
          resolve({ ...makeRunResult(2, n), stopped: true });
        };
      });
      return { done, stop: () => stop() };
    },
  });
  const handlers = createIpcHandlers({
    runs: new RunRegistry(() => {
      throw new Error('no runs here');
    }),
    presets: createPresets(),
    dialogs: { showOpen: async () => null, showSave: async () => null },
    files: createSessionFiles(fsp),
    documents: new DocumentState({ defaultDir: dir, store: { load: async () => [], save: async () => {} } }),
    traces: new WindowTraces(),
    sweeps,
  });
  const registered = new Map<string, (e: InvokeEventLike, ...a: unknown[]) => Promise<unknown>>();
  registerIpc({ handle: (c, l) => registered.set(c, l) }, handlers, {
    isTrusted: (f) => isTrustedSender(f),
    windowOf: () => null,
  });
  const sent: { to: number; channel: string; payload: unknown }[] = [];
  const call = async <T>(channel: string, args: unknown[], opts: { url?: string; id?: number } = {}) =>
    (await registered.get(channel)!(
      {
        sender: {
          id: opts.id ?? 1,
          send: (c: string, p: unknown) => sent.push({ to: opts.id ?? 1, channel: c, payload: p }),
          isDestroyed: () => false,
        },
        senderFrame: { url: opts.url ?? 'lab://app/index.html' },
      },
      ...args,
    )) as Wire<T>;
  return { call, sent, stops };
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
    const { call, sent, stops } = await setup();
    const r = await call<Result<{ sweepId: string }>>('lab:startSweep', [SPEC, { workers: 1 }]);
    if (!r.ok || !r.value.ok) throw new Error(JSON.stringify(r));
    const sweepId = r.value.value.sweepId;
    // First run finishes (5 ms); the second is in flight (400 ms).
    await new Promise((res) => setTimeout(res, 100));
    await call('lab:stopSweep', [sweepId], { id: 2 });
    expect(stops).toEqual([]);
    await call('lab:stopSweep', [sweepId], { id: 1 });
    expect(stops).toEqual([1]);
    await new Promise((res) => setTimeout(res, 20));
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
