/**
 * The `lab:*` IPC channels, declared once (STYLE.md 6, 7). The preload implements LabApi on top of
 * these; main registers one handler per invoke channel. Nothing else names a channel string.
 *
 * Invoke channels (renderer -> main, request/response through ipcRenderer.invoke / ipcMain.handle):
 * each reply travels in a Wire envelope, because an exception thrown in an ipcMain.handle handler
 * reaches the renderer only as a mangled string. Event channels (main -> renderer, webContents.send).
 *
 * This file is types plus constant lists only: the sandboxed preload bundles it.
 */
import type {
  ErrorInfo,
  ExportKind,
  HardwareProfile,
  LoadedTrace,
  MenuCommand,
  PresetCatalog,
  Result,
  RunEvent,
  ScenarioConfig,
  SessionData,
  PointStats,
  RunSummary,
  SweepEvent,
  SweepRecord,
  SweepSpec,
  ReproEvent,
  ReproductionInfo,
  ReproStartOptions,
  UnsavedWork,
} from '../../engine/protocol.ts';

export interface InvokeChannels {
  'lab:listPresets': { args: []; result: PresetCatalog };
  'lab:startRun': { args: [config: ScenarioConfig]; result: Result<{ runId: string }> };
  'lab:pauseRun': { args: [runId: string]; result: void };
  'lab:resumeRun': { args: [runId: string]; result: void };
  'lab:stopRun': { args: [runId: string]; result: void };
  'lab:importHardwarePreset': { args: [text: string, fileName: string]; result: Result<HardwareProfile> };
  'lab:saveSession': {
    args: [session: SessionData, options: { saveAs: boolean; target?: string }];
    result: Result<{ path: string; canceled: boolean }>;
  };
  'lab:openSession': { args: []; result: Result<{ session: SessionData; path: string } | null> };
  'lab:loadSessionBytes': {
    args: [bytes: Uint8Array, name: string];
    result: Result<{ session: SessionData; path: string }>;
  };
  'lab:exportCsv': { args: [session: SessionData]; result: Result<{ path: string; canceled: boolean }> };
  'lab:loadTrace': { args: [bytes: Uint8Array, fileName: string]; result: Result<LoadedTrace> };
  'lab:startSweep': {
    args: [spec: SweepSpec, options: { workers?: number }];
    result: Result<{ sweepId: string; record: SweepRecord }>;
  };
  'lab:stopSweep': { args: [sweepId: string]; result: void };
  'lab:sweepStats': { args: [points: RunSummary[][]]; result: Result<PointStats[]> };
  'lab:exportFile': {
    args: [data: Uint8Array, suggestedName: string, kind: ExportKind];
    result: Result<{ path: string; canceled: boolean }>;
  };
  'lab:listReproductions': { args: []; result: Result<ReproductionInfo[]> };
  'lab:startReproductions': {
    args: [ids: string[], options: ReproStartOptions | undefined];
    result: Result<{ jobId: string }>;
  };
  'lab:stopReproductions': { args: [jobId: string]; result: void };
  'lab:setUnsaved': { args: [work: UnsavedWork | null]; result: void };
  'lab:acceptOpened': { args: [path: string]; result: boolean };
}
export type InvokeChannel = keyof InvokeChannels;
export type InvokeArgs<C extends InvokeChannel> = InvokeChannels[C]['args'];
export type InvokeResult<C extends InvokeChannel> = InvokeChannels[C]['result'];

export const INVOKE_CHANNELS = [
  'lab:listPresets',
  'lab:startRun',
  'lab:pauseRun',
  'lab:resumeRun',
  'lab:stopRun',
  'lab:importHardwarePreset',
  'lab:saveSession',
  'lab:openSession',
  'lab:loadSessionBytes',
  'lab:exportCsv',
  'lab:loadTrace',
  'lab:startSweep',
  'lab:stopSweep',
  'lab:sweepStats',
  'lab:exportFile',
  'lab:listReproductions',
  'lab:startReproductions',
  'lab:stopReproductions',
  'lab:setUnsaved',
  'lab:acceptOpened',
] as const satisfies readonly InvokeChannel[];

// Compile-time check that the list above names every channel exactly (no more, no fewer).
type Missing = Exclude<InvokeChannel, (typeof INVOKE_CHANNELS)[number]>;
const _everyChannelListed: Missing extends never ? true : Missing = true;

export interface EventChannels {
  'lab:runEvent': RunEvent;
  'lab:menuCommand': MenuCommand;
  'lab:sessionOpened': { session: SessionData; path: string };
  'lab:sweepEvent': SweepEvent;
  'lab:reproEvent': ReproEvent;
}
export type EventChannel = keyof EventChannels;
export const EVENT_CHANNELS = [
  'lab:runEvent',
  'lab:menuCommand',
  'lab:sessionOpened',
  'lab:sweepEvent',
  'lab:reproEvent',
] as const satisfies readonly EventChannel[];

/** Every invoke reply: the handler's value, or the error it failed with (sender refused, bad argument, bug). */
export type Wire<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error) return { name: e.name, message: e.message || e.name, ...(e.stack ? { stack: e.stack } : {}) };
  return { name: 'Error', message: String(e) };
}
