/**
 * main's IPC handlers registered as main registers them (main/ipc/register.ts, the real sender
 * check), with fakes for everything a test does not name. `call` invokes a channel as a frame at
 * `url` in window `id` would; `sent` records every event a handler pushes, with the window it went to;
 * `sentEvent` waits for one.
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunResult, ScenarioConfig } from '../../engine/protocol.ts';
import type { InvokeChannel, Wire } from '../../main/ipc/channels.ts';
import { createIpcHandlers, type IpcDeps } from '../../main/ipc/handlers.ts';
import { registerIpc, type InvokeEventLike } from '../../main/ipc/register.ts';
import { DocumentState } from '../../main/documents.ts';
import { createPresets } from '../../main/presets.ts';
import { RunRegistry } from '../../main/runs.ts';
import { isTrustedSender } from '../../main/security.ts';
import { createSessionFiles } from '../../main/sessionFiles.ts';
import { WindowTraces } from '../../main/traces.ts';
import { makeRunResult } from '../session/fixtures.ts';

export interface SentEvent {
  to: number;
  channel: string;
  payload: unknown;
}

/** `deps(dir)` builds the dependencies the test cares about; `dir` is a fresh temporary folder. */
export async function ipcHarness(deps: (dir: string) => Partial<IpcDeps> = () => ({})) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'lab-ipc-'));
  const documents = new DocumentState({ defaultDir: dir, store: { load: async () => [], save: async () => {} } });
  const handlers = createIpcHandlers({
    runs: new RunRegistry(() => {
      throw new Error('no runs here');
    }),
    presets: createPresets(),
    dialogs: { showOpen: async () => null, showSave: async () => null, confirmReplace: async () => false },
    files: createSessionFiles(fsp),
    documents,
    traces: new WindowTraces(),
    ...deps(dir),
  });
  const registered = new Map<string, (e: InvokeEventLike, ...a: unknown[]) => Promise<unknown>>();
  registerIpc({ handle: (c, l) => registered.set(c, l) }, handlers, {
    isTrusted: (f) => isTrustedSender(f),
    windowOf: () => null,
  });
  const sent: SentEvent[] = [];
  const watchers = new Set<() => void>();
  /**
   * The first event sent that `accept` takes (one already sent or a later one): a test waits for the
   * event that means the state it needs, not a wall-clock time. Rejects, naming `what`, after `boundMs`
   * (a generous bound: the fakes' events come within milliseconds).
   */
  const sentEvent = (accept: (s: SentEvent) => boolean, what: string, boundMs = 30_000) =>
    new Promise<SentEvent>((resolve, reject) => {
      const already = sent.find(accept);
      if (already !== undefined) return resolve(already);
      const check = (): void => {
        const s = sent.find(accept);
        if (s === undefined) return;
        watchers.delete(check);
        clearTimeout(bound);
        resolve(s);
      };
      const bound = setTimeout(() => {
        watchers.delete(check);
        reject(new Error(`no ${what} was sent within ${boundMs} ms`));
      }, boundMs);
      watchers.add(check);
    });
  const call = async <T>(channel: InvokeChannel, args: unknown[], opts: { url?: string; id?: number } = {}) => {
    const id = opts.id ?? 1;
    const event: InvokeEventLike = {
      sender: {
        id,
        send: (c: string, p: unknown) => {
          sent.push({ to: id, channel: c, payload: p });
          for (const w of [...watchers]) w();
        },
        isDestroyed: () => false,
      },
      senderFrame: { url: opts.url ?? 'lab://app/index.html' },
    };
    return (await registered.get(channel)!(event, ...args)) as Wire<T>;
  };
  return { dir, documents, registered, sent, sentEvent, call };
}

/**
 * A fake engine for the services' startRun seam: run 0 ends after 5 ms, every later run after 400 ms
 * unless stopped; `stops` lists the runs stopped, in order. With a config the result carries it, and
 * with onProgress a run reports 0.25 at once.
 */
export function fakeRuns() {
  const stops: number[] = [];
  let started = 0;
  const start = (config?: ScenarioConfig, onProgress?: (fraction: number) => void) => {
    const n = started++;
    const result = (): RunResult => ({ ...makeRunResult(2, n), ...(config && { config }) });
    let stop = () => {};
    const done = new Promise<RunResult>((resolve) => {
      onProgress?.(0.25);
      const t = setTimeout(() => resolve(result()), n === 0 ? 5 : 400);
      stop = () => {
        clearTimeout(t);
        stops.push(n);
        resolve({ ...result(), stopped: true });
      };
    });
    return { done, stop: () => stop() };
  };
  return { start, stops };
}
