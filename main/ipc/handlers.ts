/**
 * The main-process side of LabApi: one handler per invoke channel, built from injected seams so tests
 * drive them without Electron (deps = runs, presets, dialogs, files, documents).
 *
 * Contract: every argument is untrusted (a compromised renderer can send anything) and is checked
 * here before use: configs by the engine's validator, sessions by validateSessionData, bytes, strings
 * and ids by type and size. Handlers return the channel's result type; expected failures (bad file,
 * invalid config, canceled dialog) are Result values, never exceptions. The sender check happens
 * before a handler is called (register.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  EXPORT_KINDS,
  TRACE_MAX_BYTES,
  type ExportKind,
  type HardwareProfile,
  type LoadedTrace,
  type PresetCatalog,
  type Result,
  type ScenarioConfig,
  type SessionData,
  type SweepEvent,
  type SweepRecord,
  type SweepSpec,
  type ReproductionInfo,
  type UnsavedWork,
} from '../../engine/protocol.ts';
import type { ReproOwner } from '../../engine/host/reproduceService.ts';
import { sweepStats, type SweepTraces } from '../../engine/host/sweepService.ts';
import { decodeSession, SESSION_EXTENSION, sessionCsvChunks, validateSessionData } from '../../engine/session/index.ts';
import { RunLimitError, type RunOwner } from '../runs.ts';
import type { ParseService } from '../../engine/host/node/parseService.ts';
import type { TraceData } from '../../engine/core/trace/index.ts';
import type { SessionFiles } from '../sessionFiles.ts';
import type { InvokeChannel, InvokeResult } from './channels.ts';

/** Who is calling: the renderer (for run events and per-window state) and its window (dialog parent). */
export interface CallContext {
  owner: RunOwner;
  window: unknown;
  /** Where this renderer's sweep events go (lab:sweepEvent); absent in contexts without sweeps. */
  sweepOwner?: { id: number; send(event: SweepEvent): void };
  /** Where this renderer's reproduction events go (lab:reproEvent). */
  reproOwner?: ReproOwner;
}

/** Reproductions hosted by main (engine/host/reproduceService.ts), each job owned by its window. */
export interface ReproControl {
  list(): Result<ReproductionInfo[]>;
  start(ids: unknown, owner: ReproOwner, options?: unknown): Result<{ jobId: string }>;
  stop(jobId: unknown, ownerId: number): boolean;
}

/** Sweeps hosted by main (engine/host/sweepService.ts), each owned by the window that started it. */
export interface SweepControl {
  start(
    spec: SweepSpec,
    traces: SweepTraces,
    owner: { id: number; send(event: SweepEvent): void },
    options: { workers?: number },
  ): Result<{ sweepId: string; record: SweepRecord }>;
  stop(sweepId: string, ownerId: number): boolean;
}

export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface Dialogs {
  /** Resolves to the chosen path, or null when the user cancels. */
  showOpen(window: unknown, options: { title: string; filters: FileFilter[] }): Promise<string | null>;
  showSave(
    window: unknown,
    options: { title: string; defaultPath: string; filters: FileFilter[] },
  ): Promise<string | null>;
  /**
   * "<file> already exists. Replace it?": true to replace. Asked when the save dialog's answer had no
   * extension and the name with it added is taken (the dialog asked about the name typed, not that one).
   */
  confirmReplace(window: unknown, file: string): Promise<boolean>;
}

export interface Presets {
  catalog(): Promise<PresetCatalog>;
  importHardware(text: string, fileName: string): Result<HardwareProfile>;
  validateScenario(x: unknown): Result<ScenarioConfig>;
}

/** Per-window document state and the recent-documents list. */
export interface Documents {
  currentPath(ownerId: number): string | null;
  setCurrentPath(ownerId: number, file: string | null): void;
  addRecent(file: string): void;
  /** Where dialogs start when the window has no document yet. */
  defaultDir(): string;
  /** What the window's session would lose on close / reload, as its renderer last said (lab:setUnsaved). */
  setUnsaved(ownerId: number, work: UnsavedWork | null): void;
  /**
   * The window's renderer opened the file main offered it (lab:sessionOpened): it becomes the current
   * path. False (nothing changed) when `file` is not the offer pending for that window.
   */
  acceptOffered(ownerId: number, file: string): boolean;
}

/** Trace files each window loaded (main/traces.ts): the page ids stay in main. */
export interface Traces {
  of(ownerId: number): {
    load(bytes: Uint8Array, fileName: string): Result<LoadedTrace>;
    /** What load refuses before parsing; gives the base name and trace name (TraceLibrary.check). */
    check(byteLength: number, fileName: string): Result<{ file: string; name: string }>;
    /** Keeps a trace parsed elsewhere (on the parse worker). */
    add(data: TraceData): LoadedTrace;
    /** The config, then its trace workloads against the loaded traces. */
    validateRun(config: ScenarioConfig): Result<ScenarioConfig>;
    pageIdsFor(config: ScenarioConfig): Record<string, Uint32Array>;
    /** name -> distinct pages of the loaded traces (sweeps validate trace workloads against it). */
    info?(): Record<string, { distinct: number }>;
  };
}

export interface RunControl {
  start(config: ScenarioConfig, owner: RunOwner, traces?: Record<string, Uint32Array>): { runId: string };
  control(runId: string, owner: RunOwner, action: 'pause' | 'resume' | 'stop'): boolean;
}

export interface IpcDeps {
  runs: RunControl;
  presets: Presets;
  dialogs: Dialogs;
  files: SessionFiles;
  documents: Documents;
  traces: Traces;
  /**
   * Where trace files and session bytes are parsed: main passes the worker-backed service so the main
   * thread never runs a parser (engine/host/node/parseService.ts); without it they are parsed inline.
   */
  parser?: ParseService;
  /** Sweeps (issue 9); without them lab:startSweep answers with a clear error. */
  sweeps?: SweepControl;
  /** Reproductions (issue 7); without them the lab:*Reproductions channels answer with a clear error. */
  reproductions?: ReproControl;
  /** Largest trace file lab:loadTrace accepts (default TRACE_MAX_BYTES). */
  maxTraceBytes?: number;
  log?: (message: string) => void;
}

export type Handler<C extends InvokeChannel> = (ctx: CallContext, args: readonly unknown[]) => Promise<InvokeResult<C>>;
export type Handlers = { [C in InvokeChannel]: Handler<C> };

const SESSION_FILTERS: FileFilter[] = [{ name: 'Overcommit Lab session', extensions: [SESSION_EXTENSION] }];
const CSV_FILTERS: FileFilter[] = [{ name: 'CSV', extensions: ['csv'] }];
/** lab:exportFile: the save dialog's filter per kind, and the largest export accepted. */
const EXPORT_FILTERS: Record<ExportKind, FileFilter> = {
  csv: { name: 'CSV', extensions: ['csv'] },
  png: { name: 'PNG image', extensions: ['png'] },
  svg: { name: 'SVG image', extensions: ['svg'] },
  json: { name: 'Hardware preset (JSON)', extensions: ['json'] },
};
const MAX_EXPORT_BYTES = 256 * 1024 * 1024;
const MAX_PRESET_TEXT = 1024 * 1024;

/** An argument of the wrong type is a broken (or hostile) renderer: a plain error, not a Result. */
class BadArgument extends TypeError {
  override readonly name = 'BadArgument';
}

function stringArg(args: readonly unknown[], i: number, what: string, maxLength: number): string {
  const v = args[i];
  if (typeof v !== 'string' || v.length > maxLength)
    throw new BadArgument(`${what} must be a string of at most ${maxLength} characters`);
  return v;
}

/**
 * lab:setUnsaved's argument: null, or { runs: null | a run count, setup: boolean, sweepRuns?: a run
 * count } (nothing else kept).
 */
function unsavedArg(x: unknown): UnsavedWork | null {
  if (x === null) return null;
  const o = x as { runs?: unknown; setup?: unknown; sweepRuns?: unknown } | undefined;
  const runs = o?.runs;
  const sweepRuns = o?.sweepRuns;
  const count = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;
  if (
    typeof o !== 'object' ||
    typeof o.setup !== 'boolean' ||
    !(runs === null || count(runs)) ||
    !(sweepRuns === undefined || count(sweepRuns))
  )
    throw new BadArgument(
      'unsaved work must be null or { runs: null or a run count, setup: true or false, sweepRuns?: a run count }',
    );
  return {
    runs: runs as number | null,
    setup: o.setup,
    ...(sweepRuns === undefined ? {} : { sweepRuns: sweepRuns as number }),
  };
}

function fail<T>(name: string, message: string): Result<T> {
  return { ok: false, error: { name, message } };
}

export function createIpcHandlers(deps: IpcDeps): Handlers {
  const { runs, presets, dialogs, files, documents, traces, parser } = deps;
  const maxTraceBytes = deps.maxTraceBytes ?? TRACE_MAX_BYTES;
  const log = deps.log ?? (() => {});

  const controlRun = (action: 'pause' | 'resume' | 'stop') => async (ctx: CallContext, args: readonly unknown[]) => {
    const runId = stringArg(args, 0, 'runId', 200);
    // Unknown ids are ignored: a stop racing the run's end is normal. Another window's run is never touched.
    if (!runs.control(runId, ctx.owner, action)) log(`${action}: no run ${runId} of this window`);
  };

  /**
   * Ask where to save (or reuse the window's path), then write atomically. `target` (sessions): the
   * file the renderer shows; the window's path is reused only when it is that file. Main's path can
   * outlive what the renderer shows (New and a reload clear only the renderer's; an offered file's
   * acceptance can race another offer), and a Save must never write a session over a file it was not
   * opened from or saved to.
   */
  async function saveTo(
    ctx: CallContext,
    saveAs: boolean,
    write: (file: string) => Promise<Result<void>>,
    kind: 'session' | 'csv' | ExportKind,
    suggested: string,
    target?: string,
  ) {
    const current = documents.currentPath(ctx.owner.id);
    let file = !saveAs && kind === 'session' && (target === undefined || target === current) ? current : null;
    if (file === null) {
      const base = current ? path.dirname(current) : documents.defaultDir();
      file = await dialogs.showSave(ctx.window, {
        title: kind === 'session' ? 'Save session' : `Export ${kind.toUpperCase()}`,
        defaultPath: path.join(base, suggested),
        filters: kind === 'session' ? SESSION_FILTERS : kind === 'csv' ? CSV_FILTERS : [EXPORT_FILTERS[kind]],
      });
      if (file === null) return { ok: true as const, value: { path: '', canceled: true } };
      const ext = kind === 'session' ? `.${SESSION_EXTENSION}` : `.${kind}`;
      if (path.extname(file) === '') {
        // Linux dialogs do not add the filter's extension. They asked before replacing the name typed
        // ("run"), not the one written ("run.msgpack"): a taken name is asked about here, so Save As never
        // replaces a file without a question.
        file += ext;
        if (existsSync(file) && !(await dialogs.confirmReplace(ctx.window, file)))
          return { ok: true as const, value: { path: '', canceled: true } };
      }
    }
    const w = await write(file);
    if (!w.ok) return w;
    return { ok: true as const, value: { path: file, canceled: false } };
  }

  function sessionArg(args: readonly unknown[]): Result<SessionData> {
    const r = validateSessionData(args[0]);
    return r.ok
      ? r
      : { ok: false, error: { ...r.error, message: `the session to save is invalid: ${r.error.message}` } };
  }

  return {
    'lab:listPresets': () => presets.catalog(),

    'lab:startRun': async (ctx, args) => {
      const valid = presets.validateScenario(args[0]);
      if (!valid.ok) return valid;
      const loaded = traces.of(ctx.owner.id);
      const config = loaded.validateRun(valid.value);
      if (!config.ok) return config;
      try {
        return { ok: true, value: runs.start(config.value, ctx.owner, loaded.pageIdsFor(config.value)) };
      } catch (e) {
        if (e instanceof RunLimitError) return fail(e.name, e.message);
        return fail('RunStartError', `the run could not start: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    'lab:pauseRun': controlRun('pause'),
    'lab:resumeRun': controlRun('resume'),
    'lab:stopRun': controlRun('stop'),

    'lab:importHardwarePreset': async (_ctx, args) => {
      const text = stringArg(args, 0, 'preset text', MAX_PRESET_TEXT);
      const fileName = stringArg(args, 1, 'file name', 1000);
      return parser ? parser.parseHardwarePreset(text, fileName) : presets.importHardware(text, fileName);
    },

    'lab:loadTrace': async (ctx, args) => {
      const bytes = args[0];
      if (!(bytes instanceof Uint8Array)) throw new BadArgument('trace bytes must be a Uint8Array');
      const fileName = path.basename(stringArg(args, 1, 'file name', 1000));
      if (bytes.byteLength > maxTraceBytes)
        return fail(
          'TraceTooLarge',
          `${fileName}: trace file too large (${bytes.byteLength} bytes, the limit is ${maxTraceBytes})`,
        );
      const library = traces.of(ctx.owner.id);
      if (!parser) return library.load(bytes, fileName);
      const checked = library.check(bytes.byteLength, fileName);
      if (!checked.ok) return checked;
      const parsed = await parser.parseTrace(bytes, checked.value.file, checked.value.name);
      if (!parsed.ok) return parsed;
      return { ok: true, value: library.add(parsed.value) };
    },

    'lab:saveSession': async (ctx, args) => {
      const session = sessionArg(args);
      if (!session.ok) return session;
      const opts =
        typeof args[1] === 'object' && args[1] !== null ? (args[1] as { saveAs?: unknown; target?: unknown }) : {};
      const saveAs = opts.saveAs === true;
      // Absent (an older renderer): the window's path as before. Anything but a string: no reuse.
      const target = opts.target === undefined ? undefined : typeof opts.target === 'string' ? opts.target : '';
      const saved = await saveTo(
        ctx,
        saveAs,
        (file) => files.writeSession(file, session.value),
        'session',
        `${safeName(session.value.draft.name)}.${SESSION_EXTENSION}`,
        target,
      );
      if (saved.ok && !saved.value.canceled) {
        documents.setCurrentPath(ctx.owner.id, saved.value.path);
        documents.addRecent(saved.value.path);
      }
      return saved;
    },

    'lab:openSession': async (ctx) => {
      const file = await dialogs.showOpen(ctx.window, { title: 'Open session', filters: SESSION_FILTERS });
      if (file === null) return { ok: true, value: null };
      const r = await files.readSession(file);
      if (!r.ok) return r;
      documents.setCurrentPath(ctx.owner.id, file);
      documents.addRecent(file);
      return { ok: true, value: { session: r.value, path: file } };
    },

    'lab:loadSessionBytes': async (ctx, args) => {
      const bytes = args[0];
      if (!(bytes instanceof Uint8Array)) throw new BadArgument('bytes must be a Uint8Array');
      const name = path.basename(stringArg(args, 1, 'name', 1000));
      const r = parser ? await parser.decodeSession(bytes) : decodeSession(bytes);
      if (!r.ok) return { ok: false, error: { ...r.error, message: `${name}: ${r.error.message}` } };
      // Bytes have no path on disk that we may write to: the next Save asks where.
      documents.setCurrentPath(ctx.owner.id, null);
      return { ok: true, value: { session: r.value, path: name } };
    },

    'lab:startSweep': async (ctx, args) => {
      // The spec is untrusted: planSweep checks every key, value and bound (one clear line if bad).
      if (!deps.sweeps || !ctx.sweepOwner) return fail('SweepsUnavailable', 'sweeps are not available here');
      const o = args[1];
      const workers =
        typeof o === 'object' && o !== null && typeof (o as { workers?: unknown }).workers === 'number'
          ? (o as { workers: number }).workers
          : undefined;
      const library = traces.of(ctx.owner.id);
      const loaded: SweepTraces = {
        info: () => library.info?.() ?? {},
        pageIdsFor: (config) => library.pageIdsFor(config),
      };
      return deps.sweeps.start(args[0] as SweepSpec, loaded, ctx.sweepOwner, { workers });
    },
    'lab:sweepStats': async (_ctx, args) => sweepStats(args[0]),
    'lab:stopSweep': async (ctx, args) => {
      const sweepId = stringArg(args, 0, 'sweepId', 200);
      if (!deps.sweeps?.stop(sweepId, ctx.owner.id)) log(`stopSweep: no sweep ${sweepId} of this window`);
    },
    // The ids and options are untrusted: the service checks type, count, every id and the profile before anything runs.
    'lab:listReproductions': async () =>
      deps.reproductions
        ? deps.reproductions.list()
        : fail('ReproductionsUnavailable', 'reproductions are not available here'),
    'lab:startReproductions': async (ctx, args) => {
      if (!deps.reproductions || !ctx.reproOwner)
        return fail('ReproductionsUnavailable', 'reproductions are not available here');
      return deps.reproductions.start(args[0], ctx.reproOwner, args[1]);
    },
    'lab:stopReproductions': async (ctx, args) => {
      const jobId = stringArg(args, 0, 'jobId', 200);
      if (!deps.reproductions?.stop(jobId, ctx.owner.id)) log(`stopReproductions: no job ${jobId} of this window`);
    },
    'lab:setUnsaved': async (ctx, args) => {
      documents.setUnsaved(ctx.owner.id, unsavedArg(args[0]));
    },

    'lab:acceptOpened': async (ctx, args) => documents.acceptOffered(ctx.owner.id, stringArg(args, 0, 'path', 4096)),

    'lab:exportFile': async (ctx, args) => {
      const data = args[0];
      if (!(data instanceof Uint8Array) || data.byteLength > MAX_EXPORT_BYTES)
        throw new BadArgument(`export data must be a Uint8Array of at most ${MAX_EXPORT_BYTES} bytes`);
      const name = path.basename(stringArg(args, 1, 'file name', 1000));
      const kind = args[2];
      if (!EXPORT_KINDS.includes(kind as ExportKind))
        throw new BadArgument(`export kind must be one of ${EXPORT_KINDS.join(', ')}`);
      return saveTo(ctx, true, (file) => files.writeBytes(file, data), kind as ExportKind, safeName(name));
    },

    'lab:exportCsv': async (ctx, args) => {
      const session = sessionArg(args);
      if (!session.ok) return session;
      if (session.value.runs.length === 0) return fail('NothingToExport', 'this session has no run to export');
      const csv = sessionCsvChunks(session.value); // streamed: a large CSV is longer than any JS string
      return saveTo(
        ctx,
        true,
        (file) => files.writeText(file, csv),
        'csv',
        `${safeName(session.value.draft.name)}.csv`,
      );
    },
  };
}

/** A file name from a scenario name: no path separators or control characters. */
export function safeName(name: string): string {
  const cleaned = name
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f/\\:*?"<>|]+/g, '-')
    .trim()
    .slice(0, 80);
  return cleaned || 'session';
}
