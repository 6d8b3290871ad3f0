/**
 * Session files and exports (split out of LabState, STYLE.md 14): the session as SessionData, save /
 * open / New (asking before unsaved runs or setup edits are dropped), applying an opened session, and the exports of
 * what is on screen (CSV, chart images, the edited hardware profile). Reads and writes the LabState it
 * is composed into; talks to LabApi only through it.
 */
import type { ExportKind, HardwareProfile, ScenarioConfig, SessionData } from '../../../engine/protocol.ts';
import { screenCsvBytes } from '../lib/csv.ts';
import { hardwarePresetText } from '../lib/hardware.ts';
import { DEFAULT_CHART_COLUMNS, chartByColumn } from '../lib/metrics.ts';
import { runTitle } from '../lib/summary.ts';
import { discardQuestion } from '../lib/unsaved.ts';
import type { LabState } from './lab.svelte.ts';

declare const __APP_VERSION__: string | undefined;
export const APP_VERSION = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : '0.0.0-dev';

/** Same value as SESSION_FORMAT / SESSION_VERSION in engine/protocol.ts (the renderer imports only types). */
const SESSION_FORMAT = 'overcommit-lab-session' as const;
const SESSION_VERSION = 2;

/** Deep copy that also unwraps $state proxies (structuredClone cannot clone a proxy). */
function clone<T>(value: T): T {
  return $state.snapshot(value) as T;
}

export class SessionActions {
  constructor(private readonly lab: LabState) {}

  session(): SessionData | null {
    if (!this.lab.draft) return null;
    return {
      format: SESSION_FORMAT,
      version: SESSION_VERSION,
      appVersion: APP_VERSION,
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a timestamp, not state
      savedAt: new Date().toISOString(),
      draft: $state.snapshot(this.lab.draft) as ScenarioConfig,
      runs: this.lab.runs,
      ui: {
        view: this.lab.view,
        selectedRun: this.lab.selectedRun,
        compareRuns: [...this.lab.compareRuns],
        chartMetric: [...this.lab.chartColumns],
      },
      // Sweeps of an opened session (e.g. from `lab sweep --out`) are kept, not dropped on save.
      ...(this.lab.sweeps ? { sweeps: this.lab.sweeps } : {}),
    };
  }

  async save(saveAs: boolean): Promise<void> {
    const session = this.session();
    if (!session) return;
    await this.lab.guard('Could not save the session', async () => {
      // target: the file this document shows ('' after New or a reload), so Save never writes over
      // a file main still remembers for this window but the user no longer has open.
      const r = await this.lab.api.saveSession(session, { saveAs, target: this.lab.doc.name });
      if (!r.ok) return this.lab.showError('Could not save the session', r.error);
      if (!r.value.canceled) {
        this.lab.doc.markSaved(session.runs, JSON.stringify(session.draft), r.value.path);
        this.lab.dismissError();
        this.lab.notice = `Saved ${r.value.path}`;
      }
    });
  }

  /** Run indices on screen: the compared runs in Compare, else the selected run. */
  get shownRuns(): number[] {
    if (this.lab.view === 'compare') return this.lab.compareRuns.filter((i) => i >= 0 && i < this.lab.runs.length);
    return this.lab.selectedRun >= 0 && this.lab.selectedRun < this.lab.runs.length ? [this.lab.selectedRun] : [];
  }

  /** Base name for exported files: the session's, else the scenario's. */
  #exportBase(): string {
    const base = this.lab.doc.name.replace(/\.msgpack$/i, '') || this.lab.draft?.name || 'overcommit-lab';
    return (
      base
        .replace(/[\p{Cc}/\\:*?"<>|]+/gu, '-')
        .trim()
        .slice(0, 80) || 'overcommit-lab'
    );
  }

  /** CSV of what is on screen (every compared run in Compare), with a header block of each config. */
  async exportCsv(): Promise<void> {
    const shown = this.shownRuns;
    if (shown.length === 0) return this.lab.showError('Nothing to export', 'Select a run, or tick runs in Compare.');
    const csv = screenCsvBytes(
      shown.map((i) => ({
        number: i + 1,
        label: runTitle(this.lab.runs[i], i, this.lab.catalog),
        run: this.lab.runs[i],
      })),
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a timestamp, not state
      { app: `Overcommit Lab ${APP_VERSION}`, exportedAt: new Date().toISOString() },
    );
    const suffix = this.lab.view === 'compare' ? `compare-${shown.map((i) => i + 1).join('-')}` : `run${shown[0] + 1}`;
    await this.exportFile(csv, `${this.#exportBase()}-${suffix}.csv`, 'csv');
  }

  /** Saves exported bytes (dialog + atomic write in Electron, a download in the browser). */
  async exportFile(data: Uint8Array, name: string, kind: ExportKind): Promise<void> {
    await this.lab.guard(`Could not export ${kind.toUpperCase()}`, async () => {
      const r = await this.lab.api.exportFile(data, name, kind);
      if (!r.ok) return this.lab.showError(`Could not export ${kind.toUpperCase()}`, r.error);
      if (!r.value.canceled) {
        this.lab.dismissError();
        this.lab.notice = `Exported ${r.value.path}`;
      }
    });
  }

  /** The draft's hardware profile (costs as edited) as a preset file another lab can import. */
  async exportHardware(): Promise<void> {
    if (!this.lab.draft) return;
    const hw = $state.snapshot(this.lab.draft.hardware) as HardwareProfile;
    const { text, fileName } = hardwarePresetText(hw, this.lab.originalHardware(hw.id));
    await this.exportFile(new TextEncoder().encode(text), fileName, 'json');
  }

  /** The session equals what was saved/opened/created; the undo history starts here. */
  markClean(): void {
    const json = this.lab.draft ? JSON.stringify($state.snapshot(this.lab.draft)) : '';
    this.lab.doc.markSaved(this.lab.runs, json);
    this.lab.history.reset(json || null);
  }

  /** True when there is nothing to lose, or the user agreed to drop the unsaved runs and / or setup edits. */
  async confirmDiscard(action: string): Promise<boolean> {
    const unsaved = this.lab.unsaved;
    if (!unsaved) return true;
    return this.lab.confirm.ask(discardQuestion(unsaved, action));
  }

  async open(): Promise<void> {
    if (this.refuseWhileRunning()) return;
    if (!(await this.confirmDiscard('Open another session'))) return;
    await this.lab.guard('Could not open the session', async () => {
      const r = await this.lab.api.openSession();
      if (!r.ok) return this.lab.showError('Could not open the session', r.error);
      if (r.value) this.applySession(r.value.session, r.value.path);
    });
  }

  async loadBytes(bytes: Uint8Array, name: string): Promise<void> {
    if (this.refuseWhileRunning()) return;
    await this.lab.guard(`Could not open ${name}`, async () => {
      const r = await this.lab.api.loadSessionBytes(bytes, name);
      if (!r.ok) return this.lab.showError(`Could not open ${name}`, r.error);
      await this.openSession(r.value.session, r.value.path);
    });
  }

  /** A decoded session from outside (drop, OS): asks before unsaved work is dropped; true = opened. */
  async openSession(session: SessionData, path: string): Promise<boolean> {
    if (this.lab.running) return (this.refuseWhileRunning(), false);
    if (!(await this.confirmDiscard('Open another session'))) return false;
    return this.applySession(session, path);
  }

  async newSession(): Promise<void> {
    if (this.refuseWhileRunning()) return;
    if (!(await this.confirmDiscard('Start a new session'))) return;
    this.lab.runs = [];
    this.lab.sweeps = undefined;
    this.lab.live = null;
    this.lab.selectedRun = -1;
    this.lab.compareRuns = [];
    this.lab.doc.name = '';
    this.lab.view = 'setup';
    this.lab.draft = null;
    const id = this.lab.scenarioId || this.lab.seedDebateId;
    const sc = this.lab.catalog?.scenarios.find((s) => s.id === id);
    if (sc) this.lab.draft = clone(sc.config);
    this.lab.screen.baseline = -1;
    this.lab.notice = 'New session.';
    this.markClean();
  }

  refuseWhileRunning(): boolean {
    if (!this.lab.running) return false;
    this.lab.showError('A run is in progress', 'Stop the run before opening or starting a new session.');
    return true;
  }

  /** Replaces the whole session at once (only after it decoded and validated, so a failed open loses nothing). */
  applySession(session: SessionData, path: string): boolean {
    if (this.lab.running) return (this.refuseWhileRunning(), false);
    const runs = session.runs;
    const valid = (i: number) => Number.isInteger(i) && i >= 0 && i < runs.length;
    const hw = [session.draft.hardware, ...runs.map((r) => r.config.hardware)].filter(
      (h) => !(this.lab.catalog?.hardware ?? []).some((b) => b.id === h.id),
    );
    this.lab.extraHardware = [
      ...this.lab.extraHardware.filter((h) => !hw.some((x) => x.id === h.id)),
      ...hw.filter((h, i) => hw.findIndex((x) => x.id === h.id) === i),
    ];
    this.lab.live = null;
    this.lab.runs = runs;
    this.lab.sweeps = session.sweeps;
    this.lab.draft = clone(session.draft);
    // The scenario the draft came from: same name (a per-profile variant counts as its scenario), else same description.
    const all = this.lab.catalog?.scenarios ?? [];
    const from =
      all.find((s) => s.config.name === session.draft.name) ??
      all.find((s) => s.config.description === session.draft.description);
    this.lab.scenarioId = from ? from.id.split('@')[0] : '';
    this.lab.selectedRun = valid(session.ui.selectedRun) ? session.ui.selectedRun : runs.length - 1;
    this.lab.compareRuns = session.ui.compareRuns.filter(valid);
    const cols = session.ui.chartMetric.filter((c) => chartByColumn(c));
    this.lab.chartColumns = cols.length > 0 ? cols : [...DEFAULT_CHART_COLUMNS];
    this.lab.view = session.ui.view;
    this.lab.doc.name = path;
    this.lab.screen.baseline = -1;
    this.markClean();
    this.lab.notice = `Opened ${path}`;
    this.lab.dismissError();
    return true;
  }
}
