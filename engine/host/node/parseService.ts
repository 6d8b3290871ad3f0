/**
 * Parsing on a worker thread, for hosts whose main thread must stay responsive (Electron main): trace
 * files (engine/core/trace), session bytes (engine/session) and imported hardware preset files. One long-lived worker, started on first
 * use; requests carry an id and are answered in any order. A worker that dies fails the requests in
 * flight with a clear message and is replaced on the next request. `inlineParseService` does the same
 * work on the calling thread (tests, and hosts without workers).
 */
import type { Worker } from 'node:worker_threads';
import type { HardwareProfile, Result, SessionData } from '../../protocol.ts';
import { parseHardwarePresetFile } from '../../core/config/index.ts';
import { parseTrace, traceFailure, type TraceData } from '../../core/trace/index.ts';
import { decodeSession } from '../../session/index.ts';

export interface ParseService {
  /** Parses `bytes` as the trace file `file` under the trace name `name`; failures name the file. */
  parseTrace(bytes: Uint8Array, file: string, name: string): Promise<Result<TraceData>>;
  decodeSession(bytes: Uint8Array, maxBytes?: number): Promise<Result<SessionData>>;
  /** A hardware preset file's text (JSON) parsed and validated. */
  parseHardwarePreset(text: string, fileName: string): Promise<Result<HardwareProfile>>;
  close(): void;
}

export type ParseRequest =
  | { id: number; kind: 'trace'; bytes: Uint8Array; file: string; name: string }
  | { id: number; kind: 'session'; bytes: Uint8Array; maxBytes?: number }
  | { id: number; kind: 'hardware'; text: string; fileName: string };

export interface ParseReply {
  id: number;
  result: Result<TraceData> | Result<SessionData> | Result<HardwareProfile>;
}

function fail<T>(name: string, message: string): Result<T> {
  return { ok: false, error: { name, message } };
}

/** The worker's side: one request to one reply (and the buffers to transfer back). */
export function serveParseRequest(req: ParseRequest): { reply: ParseReply; transfer: ArrayBuffer[] } {
  switch (req.kind) {
    case 'trace': {
      let result: Result<TraceData>;
      try {
        result = { ok: true, value: parseTrace(req.file, req.bytes, req.name) };
      } catch (e) {
        try {
          result = traceFailure(e, req.file);
        } catch (bug) {
          result = fail('TraceParseError', `${req.file}: the trace could not be parsed (${String(bug).slice(0, 120)})`);
        }
      }
      const transfer = result.ok ? [result.value.pageIds.buffer as ArrayBuffer] : [];
      return { reply: { id: req.id, result }, transfer };
    }
    case 'session':
      return { reply: { id: req.id, result: decodeSession(req.bytes, { maxBytes: req.maxBytes }) }, transfer: [] };
    case 'hardware':
      return { reply: { id: req.id, result: parseHardwarePresetFile(req.text, req.fileName) }, transfer: [] };
    default: {
      const never: never = req;
      throw new Error(`unexpected parse request ${JSON.stringify(never)}`);
    }
  }
}

export function inlineParseService(): ParseService {
  const run = <T>(req: ParseRequest): Promise<Result<T>> =>
    Promise.resolve(serveParseRequest(req).reply.result as Result<T>);
  let id = 0;
  return {
    parseTrace: (bytes, file, name) => run({ id: ++id, kind: 'trace', bytes, file, name }),
    decodeSession: (bytes, maxBytes) => run({ id: ++id, kind: 'session', bytes, maxBytes }),
    parseHardwarePreset: (text, fileName) => run({ id: ++id, kind: 'hardware', text, fileName }),
    close() {},
  };
}

/** The worker-backed service; `create` starts a worker running parseWorker.ts. */
export function workerParseService(create: () => Worker): ParseService {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, (r: Result<never>) => void>();

  const failAll = (message: string): void => {
    for (const settle of pending.values()) settle(fail('ParseWorkerError', message));
    pending.clear();
  };

  const ensure = (): Worker => {
    if (worker) return worker;
    const w = create();
    w.on('message', (m: ParseReply) => {
      const settle = pending.get(m.id);
      pending.delete(m.id);
      if (pending.size === 0) w.unref();
      settle?.(m.result as Result<never>);
    });
    w.on('error', (e) => {
      if (worker === w) worker = null;
      failAll(`the file could not be parsed: the parse worker failed (${e.message.slice(0, 120)})`);
    });
    w.on('exit', () => {
      if (worker === w) worker = null;
      failAll('the file could not be parsed: the parse worker stopped');
    });
    worker = w;
    return w;
  };

  const send = <T>(req: ParseRequest): Promise<Result<T>> =>
    new Promise((resolve) => {
      pending.set(req.id, resolve as (r: Result<never>) => void);
      // The bytes are copied to the worker (structured clone): the caller's buffer stays usable.
      // Referenced while a request is in flight, unreferenced when idle (never keeps a process alive).
      const w = ensure();
      w.ref();
      w.postMessage(req);
    });

  return {
    parseTrace: (bytes, file, name) => send({ id: ++nextId, kind: 'trace', bytes, file, name }),
    decodeSession: (bytes, maxBytes) => send({ id: ++nextId, kind: 'session', bytes, maxBytes }),
    parseHardwarePreset: (text, fileName) => send({ id: ++nextId, kind: 'hardware', text, fileName }),
    close() {
      const w = worker;
      worker = null;
      failAll('the parse worker was closed');
      void w?.terminate();
    },
  };
}
