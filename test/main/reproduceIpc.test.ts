/**
 * Reproductions through main's IPC seams (main/ipc, engine/host/reproduceService.ts) with a fake
 * engine: the sender check guards the lab:*Reproductions channels, bad ids are one clear Result
 * error, events go on lab:reproEvent to the window that started the job only, and only that window
 * may stop it.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReproductionService } from '../../engine/host/reproduceService.ts';
import type { ReproductionInfo, ReproEvent, Result, RunResult } from '../../engine/protocol.ts';
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
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'lab-repro-ipc-'));
  const stops: number[] = [];
  let started = 0;
  const reproductions = new ReproductionService({
    presets: () => loadPresetDir(path.join(repoRoot, 'presets')).set,
    concurrency: () => 1,
    startRun: (config, onProgress) => {
      const n = started++;
      let stop = () => {};
      const done = new Promise<RunResult>((resolve) => {
        onProgress(0.25);
        const t = setTimeout(() => resolve({ ...makeRunResult(2, n), config }), n === 0 ? 5 : 400);
        stop = () => {
          clearTimeout(t);
          stops.push(n);
          resolve({ ...makeRunResult(2, n), config, stopped: true });
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
    reproductions,
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

describe('lab:listReproductions / lab:startReproductions / lab:stopReproductions / lab:reproEvent', () => {
  it('refuses a foreign frame before anything runs', async () => {
    const { call, sent } = await setup();
    const r = await call('lab:startReproductions', [['repro-v2-baseline']], { url: 'https://evil.example/' });
    expect(r).toMatchObject({ ok: false, error: { name: 'ForbiddenSender' } });
    expect(sent).toHaveLength(0);
  });

  it('lists the reproductions; bad ids are one clear Result error', async () => {
    const { call } = await setup();
    const list = await call<Result<ReproductionInfo[]>>('lab:listReproductions', []);
    if (!list.ok || !list.value.ok) throw new Error(JSON.stringify(list));
    expect(list.value.value.map((r) => r.id)).toContain('repro-v2-baseline');
    const bad = await call<Result<unknown>>('lab:startReproductions', [['repro-v3']]);
    expect(bad.ok && bad.value).toMatchObject({
      ok: false,
      error: { name: 'UnknownReproduction', message: expect.stringContaining("unknown reproduction 'repro-v3'") },
    });
    const notList = await call<Result<unknown>>('lab:startReproductions', [{ length: 1 }]);
    expect(notList.ok && notList.value).toMatchObject({ ok: false, error: { name: 'BadArgument' } });
  });

  it('events go to the starting window only; another window cannot stop the job; its owner can', async () => {
    const { call, sent, stops } = await setup();
    const r = await call<Result<{ jobId: string }>>('lab:startReproductions', [['repro-v2-baseline']]);
    if (!r.ok || !r.value.ok) throw new Error(JSON.stringify(r));
    const jobId = r.value.value.jobId;
    // The first run finishes (5 ms); the second is in flight (400 ms).
    await new Promise((res) => setTimeout(res, 100));
    await call('lab:stopReproductions', [jobId], { id: 2 });
    expect(stops).toEqual([]);
    await call('lab:stopReproductions', [jobId], { id: 1 });
    expect(stops).toEqual([1]);
    await new Promise((res) => setTimeout(res, 20));
    const events = sent.filter((s) => s.channel === 'lab:reproEvent');
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((s) => s.to === 1)).toBe(true);
    const types = events.map((e) => (e.payload as ReproEvent).type);
    expect(types).not.toContain('repro-result');
    expect(events.at(-1)!.payload).toEqual({ type: 'repro-done', jobId, stopped: true });
  });
});
