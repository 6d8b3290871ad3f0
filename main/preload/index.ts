/**
 * Preload (sandboxed, context-isolated): exposes LabApi as `window.labApi` through contextBridge.
 *
 * The renderer never sees ipcRenderer, an IpcRendererEvent or a channel name: each LabApi method is
 * one typed invoke of a lab:* channel (channels.ts), each listener receives only the payload.
 * Result-returning methods turn every failure (refused sender, bad argument) into a Result error;
 * the others reject with an Error carrying the main process's message.
 *
 * Sandboxed preloads are plain CommonJS scripts that may require only 'electron' (and a few
 * built-ins): this file imports nothing else at runtime, and is bundled as CJS (electron.vite.config.ts).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { LabApi, Result } from '../../engine/protocol.ts';
import type { EventChannel, EventChannels, InvokeArgs, InvokeChannel, InvokeResult, Wire } from '../ipc/channels.ts';

async function invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> {
  const wire = (await ipcRenderer.invoke(channel, ...args)) as Wire<InvokeResult<C>>;
  if (wire.ok) return wire.value;
  const error = new Error(wire.error.message);
  error.name = wire.error.name;
  throw error;
}

/** For channels whose result is already a Result: a transport failure becomes a Result error too. */
async function invokeResult<C extends InvokeChannel, T>(channel: C, ...args: InvokeArgs<C>): Promise<Result<T>> {
  try {
    return (await invoke(channel, ...args)) as Result<T>;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { ok: false, error: { name: err.name, message: err.message } };
  }
}

function subscribe<C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void): () => void {
  const wrapped = (_event: IpcRendererEvent, payload: EventChannels[C]) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
}

const labApi: LabApi = {
  edition: 'electron',
  listPresets: () => invoke('lab:listPresets'),
  startRun: (config) => invokeResult('lab:startRun', config),
  pauseRun: (runId) => invoke('lab:pauseRun', runId),
  resumeRun: (runId) => invoke('lab:resumeRun', runId),
  stopRun: (runId) => invoke('lab:stopRun', runId),
  onRunEvent: (listener) => subscribe('lab:runEvent', listener),
  importHardwarePreset: (text, fileName) => invokeResult('lab:importHardwarePreset', text, fileName),
  saveSession: (session, options) =>
    invokeResult('lab:saveSession', session, {
      saveAs: options.saveAs === true,
      ...(typeof options.target === 'string' ? { target: options.target } : {}),
    }),
  openSession: () => invokeResult('lab:openSession'),
  loadSessionBytes: (bytes, name) => invokeResult('lab:loadSessionBytes', bytes, name),
  exportCsv: (session) => invokeResult('lab:exportCsv', session),
  loadTrace: (bytes, fileName) => invokeResult('lab:loadTrace', bytes, fileName),
  onMenuCommand: (listener) => subscribe('lab:menuCommand', listener),
  onSessionOpened: (listener) => subscribe('lab:sessionOpened', listener),
  startSweep: (spec, options) => invokeResult('lab:startSweep', spec, { workers: options?.workers }),
  stopSweep: (sweepId) => invoke('lab:stopSweep', sweepId),
  onSweepEvent: (listener) => subscribe('lab:sweepEvent', listener),
  sweepStats: (points) => invokeResult('lab:sweepStats', points),
  exportFile: (data, suggestedName, kind) => invokeResult('lab:exportFile', data, suggestedName, kind),
  listReproductions: () => invokeResult('lab:listReproductions'),
  startReproductions: (ids, options) => invokeResult('lab:startReproductions', ids, options),
  stopReproductions: (jobId) => invoke('lab:stopReproductions', jobId),
  onReproductionEvent: (listener) => subscribe('lab:reproEvent', listener),
  // Fire and forget: main keeps the last word for its close / reload dialog (a failure only loses wording).
  setUnsaved: (work) => void invoke('lab:setUnsaved', work).catch(() => {}),
  acceptOpened: (path) => void invoke('lab:acceptOpened', path).catch(() => {}),
};

contextBridge.exposeInMainWorld('labApi', labApi);
