/**
 * LabApi for the browser edition: the engine runs in Web Workers (engine/host/web), presets come from
 * the Vite preset loader, sessions are downloads and file-picker uploads decoded by engine/session,
 * trace files the user loads are parsed by engine/core/trace and kept here (page ids never reach the UI).
 *
 * The engine and the preset source are injected (see web/main.ts), so this module is the seam where
 * the browser edition's behaviour can be tested without workers.
 */
import type {
  ErrorInfo,
  ExportKind,
  HardwareProfile,
  LabApi,
  MenuCommand,
  PresetCatalog,
  Result,
  RunEvent,
  ScenarioConfig,
  ReproEvent,
  SessionData,
  SweepEvent,
} from '../engine/protocol.ts';
import {
  decodeSession,
  encodeSession,
  SESSION_EXTENSION,
  SESSION_MAX_BYTES,
  sessionCsvChunks,
} from '../engine/session/index.ts';
import { TraceLibrary } from '../engine/core/trace/index.ts';
import { SweepService, sweepStats, type SweepServiceDeps } from '../engine/host/sweepService.ts';
import { ReproductionService, type ReproServiceDeps } from '../engine/host/reproduceService.ts';
import { download, pickFile, withExtension } from './files.ts';

/** What the browser edition needs of the engine host: start a run, control it by id. */
export interface EngineRun {
  readonly runId: string;
  pause(): void;
  resume(): void;
  stop(): void;
}

export interface BrowserDeps {
  /**
   * Validate + start; events for the run go to `onEvent`. Throws or returns an error for bad configs.
   * `traces`: the trace files this page loaded (validate trace workloads against them, replay their page ids).
   */
  startRun(
    config: ScenarioConfig,
    onEvent: (e: RunEvent) => void,
    traces: TraceLibrary,
  ): Result<EngineRun> | Promise<Result<EngineRun>>;
  listPresets(): Promise<PresetCatalog>;
  parseHardwarePreset(text: string, fileName: string): Result<HardwareProfile>;
  /** Asks the user for a file name (Save As); null = canceled. */
  promptFileName(suggested: string): string | null;
  /** Sweeps (issue 9): presets and a run starter for the local pool; without it startSweep fails clearly. */
  sweeps?: SweepServiceDeps;
  /** Reproductions (issue 7): presets and a run starter; without it the Reproductions view says so. */
  reproductions?: ReproServiceDeps;
}

export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

const EXPORT_MIME: Record<ExportKind, string> = {
  csv: 'text/csv',
  png: 'image/png',
  svg: 'image/svg+xml',
  json: 'application/json',
};

function fail<T>(name: string, message: string): Result<T> {
  return { ok: false, error: { name, message } };
}

export function createBrowserLabApi(deps: BrowserDeps): LabApi {
  const runListeners = new Set<(e: RunEvent) => void>();
  const menuListeners = new Set<(c: MenuCommand) => void>();
  const openedListeners = new Set<(o: { session: SessionData; path: string }) => void>();
  const runs = new Map<string, EngineRun>();
  /** Trace files loaded by the user: page ids stay here, the renderer sees only name and counts. */
  const traces = new TraceLibrary();
  /** The file name sessions are saved under until Save As changes it. */
  let sessionFile = '';
  const sweepListeners = new Set<(e: SweepEvent) => void>();
  const sweepService = deps.sweeps ? new SweepService(deps.sweeps) : null;
  /** The page is the only owner of its sweeps. */
  const sweepOwner = {
    id: 0,
    send: (e: SweepEvent) => {
      for (const l of sweepListeners) {
        try {
          l(e);
        } catch (err) {
          console.error('sweep event listener failed', err);
        }
      }
    },
  };

  const reproListeners = new Set<(e: ReproEvent) => void>();
  const reproService = deps.reproductions ? new ReproductionService(deps.reproductions) : null;
  /** The page is the only owner of its reproduction jobs. */
  const reproOwner = {
    id: 0,
    send: (e: ReproEvent) => {
      for (const l of reproListeners) {
        try {
          l(e);
        } catch (err) {
          console.error('reproduction event listener failed', err);
        }
      }
    },
  };

  const emit = (e: RunEvent) => {
    if (e.type === 'done' || e.type === 'error') runs.delete(e.runId);
    for (const l of runListeners) {
      try {
        l(e);
      } catch (err) {
        console.error('run event listener failed', err);
      }
    }
  };

  const subscribe = <T>(set: Set<T>, l: T) => {
    set.add(l);
    return () => void set.delete(l);
  };

  function decode(bytes: Uint8Array, name: string): Result<{ session: SessionData; path: string }> {
    const r = decodeSession(bytes);
    if (!r.ok) return { ok: false, error: { ...r.error, message: `${name}: ${r.error.message}` } };
    sessionFile = name;
    return { ok: true, value: { session: r.value, path: name } };
  }

  async function readFile(file: File): Promise<Result<{ session: SessionData; path: string }>> {
    // Refuse before reading: a huge file would otherwise be pulled into memory.
    if (file.size > SESSION_MAX_BYTES) {
      return fail(
        'SessionTooLarge',
        `${file.name}: session file too large (${(file.size / 2 ** 20).toFixed(1)} MiB, the limit is ${SESSION_MAX_BYTES / 2 ** 20} MiB)`,
      );
    }
    return decode(new Uint8Array(await file.arrayBuffer()), file.name);
  }

  const api: LabApi = {
    edition: 'browser',

    listPresets: () => deps.listPresets(),

    async startRun(config) {
      try {
        const r = await deps.startRun(config, emit, traces);
        if (!r.ok) return r;
        runs.set(r.value.runId, r.value);
        return { ok: true, value: { runId: r.value.runId } };
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },
    async pauseRun(runId) {
      runs.get(runId)?.pause();
    },
    async resumeRun(runId) {
      runs.get(runId)?.resume();
    },
    async stopRun(runId) {
      runs.get(runId)?.stop();
    },
    onRunEvent: (l) => subscribe(runListeners, l),

    async importHardwarePreset(text, fileName) {
      try {
        return deps.parseHardwarePreset(text, fileName);
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },

    async saveSession(session, { saveAs, target }) {
      try {
        // A download never overwrites; `target` only keeps an untitled session (New) from taking the
        // name of the file downloaded before it.
        const known = target === undefined ? sessionFile : target;
        let name = known || `overcommit-lab-${session.savedAt.slice(0, 19).replace(/[:T]/g, '-')}.${SESSION_EXTENSION}`;
        if (saveAs || !sessionFile) {
          if (saveAs) {
            const typed = deps.promptFileName(name);
            if (typed === null) return { ok: true, value: { path: '', canceled: true } };
            name = withExtension(typed, SESSION_EXTENSION);
          }
        }
        const bytes = encodeSession(session);
        download(bytes, name, 'application/x-msgpack');
        sessionFile = name;
        return { ok: true, value: { path: name, canceled: false } };
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },

    async openSession() {
      try {
        const file = await pickFile();
        if (!file) return { ok: true, value: null };
        return await readFile(file);
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },

    async loadSessionBytes(bytes, name) {
      try {
        return decode(bytes, name);
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },

    async exportCsv(session) {
      try {
        if (session.runs.length === 0) return fail('NoRuns', 'nothing to export: the session has no runs');
        const base = (sessionFile || 'overcommit-lab').replace(/\.msgpack$/i, '');
        const index =
          session.ui.selectedRun >= 0 && session.ui.selectedRun < session.runs.length
            ? session.ui.selectedRun
            : session.runs.length - 1;
        const name = `${base}-run${index + 1}.csv`;
        download([...sessionCsvChunks(session, index)], name, 'text/csv');
        return { ok: true, value: { path: name, canceled: false } };
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },

    async loadTrace(bytes, fileName) {
      try {
        if (!(bytes instanceof Uint8Array)) return fail('BadArgument', 'trace bytes must be a Uint8Array');
        return traces.load(bytes, String(fileName));
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },

    onMenuCommand: (l) => subscribe(menuListeners, l),
    onSessionOpened: (l) => subscribe(openedListeners, l),

    async startSweep(spec, options) {
      if (!sweepService) return fail('SweepsUnavailable', 'sweeps are not available in this edition');
      try {
        return sweepService.start(spec, traces, sweepOwner, options ?? {});
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },
    async exportFile(data, suggestedName, kind) {
      try {
        if (!(data instanceof Uint8Array)) return fail('BadArgument', 'export data must be a Uint8Array');
        const name = withExtension(String(suggestedName).split(/[\\/]/).pop() ?? '', kind);
        download(data, name, EXPORT_MIME[kind] ?? 'application/octet-stream');
        return { ok: true, value: { path: name, canceled: false } };
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },
    async stopSweep(sweepId) {
      sweepService?.stop(sweepId, sweepOwner.id);
    },
    onSweepEvent: (l) => subscribe(sweepListeners, l),
    async listReproductions() {
      if (!reproService) return fail('ReproductionsUnavailable', 'reproductions are not available in this edition');
      try {
        return reproService.list();
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },
    async startReproductions(ids, options) {
      if (!reproService) return fail('ReproductionsUnavailable', 'reproductions are not available in this edition');
      try {
        return reproService.start(ids, reproOwner, options);
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },
    async stopReproductions(jobId) {
      reproService?.stop(jobId, reproOwner.id);
    },
    onReproductionEvent: (l) => subscribe(reproListeners, l),
    // The browser's own beforeunload question carries no message: nothing to tell (App.svelte vetoes).
    setUnsaved() {},
    // Save downloads: there is no file to write back to.
    acceptOpened() {},
    async sweepStats(points) {
      try {
        return sweepStats(points);
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },
  };
  return api;
}
