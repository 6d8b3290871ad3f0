/**
 * The application state: presets, the draft configuration, finished runs, the live run, the screen and
 * the error banner. Components read it and call its methods; only this class talks to LabApi.
 * Numbers are never computed here: they come from RunResults and sample events of the engine.
 * Separate concerns live in their own classes, composed here: the document (saved / modified),
 * the setup's undo history, the in-app confirmation, screen choices and the heat-map view.
 */
import type {
  ErrorInfo,
  HardwareProfile,
  LabApi,
  LoadedTrace,
  MenuCommand,
  PresetCatalog,
  RunEvent,
  RunResult,
  SampleColumn,
  ScenarioConfig,
  SessionData,
  SweepRecord,
  UiState,
} from '../../../engine/protocol.ts';
import { DEFAULT_CHART_COLUMNS } from '../lib/metrics.ts';
import { runIdentity } from '../lib/runLabel.ts';
import { withSweep } from '../lib/unsaved.ts';
import { ConfirmState } from './confirm.svelte.ts';
import { DocumentState } from './document.svelte.ts';
import { HeatView } from './heat.svelte.ts';
import { SetupHistory } from './history.svelte.ts';
import { LiveRun } from './liveRun.svelte.ts';
import { RunRouter } from './runRouter.ts';
import { ImportActions } from './imports.svelte.ts';
import { APP_VERSION, SessionActions } from './sessions.svelte.ts';
import { UiState as ScreenState } from './ui.svelte.ts';

export type View = UiState['view'];

export interface Banner {
  title: string;
  message: string;
}

/** Deep copy that also unwraps $state proxies (structuredClone cannot clone a proxy). */
function clone<T>(value: T): T {
  return $state.snapshot(value) as T;
}

export class LabState {
  readonly api: LabApi;

  catalog = $state.raw<PresetCatalog | null>(null);
  /** Hardware profiles imported by the user (or carried by an opened session). */
  extraHardware = $state.raw<HardwareProfile[]>([]);
  /** Trace files loaded into the host (LabApi.loadTrace), by name; their page ids stay in the host. */
  traces = $state.raw<LoadedTrace[]>([]);
  scenarioId = $state('');
  draft = $state<ScenarioConfig | null>(null);

  runs = $state.raw<RunResult[]>([]);
  /** Sweeps of the opened session (v2), kept so that saving it again loses nothing; their points index `runs`. */
  sweeps = $state.raw<SweepRecord[] | undefined>(undefined);
  live = $state.raw<LiveRun | null>(null);
  /** True while "run all profiles" is stepping through its runs. */
  batch = $state(false);

  view = $state<View>('setup');
  selectedRun = $state(-1);
  compareRuns = $state<number[]>([]);
  chartColumns = $state<SampleColumn[]>([...DEFAULT_CHART_COLUMNS]);

  banner = $state<Banner | null>(null);
  /**
   * Every problem of the config the engine last refused (`path: problem` lines, ErrorInfo.problems);
   * App.svelte marks their fields (lib/markInvalid.ts). Empty once the banner is dismissed or a run starts.
   */
  invalidProblems = $state.raw<string[]>([]);
  notice = $state('');

  readonly doc = new DocumentState();
  readonly history = new SetupHistory();
  readonly confirm = new ConfirmState();
  readonly screen = new ScreenState();
  readonly heatView = new HeatView();
  /** Session files and exports (sessions.svelte.ts). */
  readonly sessions: SessionActions = new SessionActions(this);
  /** Hardware presets and trace files the user loads (imports.svelte.ts). */
  readonly imports: ImportActions = new ImportActions(this);
  /** The draft as JSON: what undo/redo and the modified marker compare. */
  readonly draftJson = $derived(this.draft ? JSON.stringify(this.draft) : '');
  /**
   * What New, Open, a reload or closing the window would lose (null = nothing): the one answer the
   * in-app confirm, App's beforeunload and (through LabApi.setUnsaved) Electron's close dialog use.
   */
  readonly unsaved = $derived(this.doc.unsaved(this.runs, this.draftJson));
  /** The Sweep tab's runs not saved (SweepState.unsavedRuns, attached by attachSweep), or null. */
  #sweepRuns = $state.raw<() => number | null>(() => null);
  /**
   * What a close or reload would lose: `unsaved` plus the Sweep tab's sweep, saved apart (New and Open
   * keep it, so their question uses `unsaved`). App's beforeunload and Electron's dialog use this.
   */
  readonly unsavedOnLeave = $derived(withSweep(this.unsaved, this.#sweepRuns()));
  readonly #router = new RunRouter(
    () => this.live,
    (live, event) => this.#deliver(live, event),
  );
  #unsubscribe: (() => void)[] = [];

  constructor(api: LabApi) {
    this.api = api;
    this.#unsubscribe.push(api.onRunEvent((e) => this.#router.onEvent(e)));
    this.#unsubscribe.push(api.onMenuCommand((c) => void this.command(c)));
    // An OS-opened file (Open Recent, command line): main makes it Save's target only if we open it.
    this.#unsubscribe.push(
      api.onSessionOpened(async (o) => {
        if (await this.sessions.openSession(o.session, o.path)) api.acceptOpened(o.path);
      }),
    );
    // Every setup edit goes to the undo history (the draft is read deeply through JSON).
    this.#unsubscribe.push(
      $effect.root(() => {
        $effect(() => {
          // An undo/redo's own change equals the history's current state: not recorded.
          const json = this.draftJson;
          if (json) this.history.observe(json, performance.now());
        });
        // Main's close / reload dialog names what would be lost: tell it whenever that changes, and
        // once at start (after a reload main may still hold the previous page's word).
        let sent = '';
        $effect(() => {
          const key = JSON.stringify(this.unsavedOnLeave);
          if (key === sent) return;
          sent = key;
          this.api.setUnsaved(this.unsavedOnLeave);
        });
      }),
    );
  }

  dispose(): void {
    for (const u of this.#unsubscribe) u();
  }

  // ------------------------------------------------------------ derived views

  get hardwareList(): HardwareProfile[] {
    const base = this.catalog?.hardware ?? [];
    return [...base, ...this.extraHardware.filter((h) => !base.some((b) => b.id === h.id))];
  }

  /** The Sweep tab tells what of its sweep a close or reload would drop (App wires SweepState.unsavedRuns). */
  attachSweep(unsavedRuns: () => number | null): void {
    this.#sweepRuns = unsavedRuns;
  }

  /** Name of the session file last saved or opened ('' = unsaved). */
  get sessionName(): string {
    return this.doc.name;
  }

  /** Anything changed since the last save or open (runs or setup): the "modified" marker. */
  get modified(): boolean {
    return this.unsaved !== null;
  }

  /** The catalog's profile with this id (the source of an edited profile's original costs). */
  originalHardware(id: string): HardwareProfile | null {
    return this.catalog?.hardware.find((h) => h.id === id) ?? this.extraHardware.find((h) => h.id === id) ?? null;
  }

  get running(): boolean {
    return this.live?.active ?? false;
  }

  get selected(): RunResult | null {
    return this.runs[this.selectedRun] ?? null;
  }

  /** Scenarios to pick from (per-profile variants '<id>@<hw>' are not listed separately). */
  get scenarios(): PresetCatalog['scenarios'] {
    return (this.catalog?.scenarios ?? []).filter((s) => !s.id.includes('@'));
  }

  get seedDebateId(): string | null {
    const s = this.scenarios;
    return (s.find((x) => x.id === 'seed-debate') ?? s.find((x) => /seed/i.test(x.id)))?.id ?? null;
  }

  /**
   * The profiles "run seed debate on its profiles" runs: those the catalog resolves the seed debate on
   * (its preset's list, e.g. not x86-workstation), or every profile when it resolves on none.
   */
  get seedDebateProfiles(): HardwareProfile[] {
    const id = this.seedDebateId;
    if (!this.catalog || !id) return [];
    const profiles = this.catalog.hardware.filter((hw) => this.#variant(id, hw));
    return profiles.length > 0 ? profiles : this.catalog.hardware;
  }

  // ------------------------------------------------------------ errors

  showError(title: string, error: ErrorInfo | string): void {
    this.banner = { title, message: typeof error === 'string' ? error : error.message };
  }

  dismissError(): void {
    this.banner = null;
    this.invalidProblems = [];
  }

  async guard<T>(title: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.showError(title, e instanceof Error ? e.message : String(e));
      return undefined;
    }
  }

  // ------------------------------------------------------------ presets and draft

  async init(): Promise<void> {
    await this.guard('Could not load presets', async () => {
      const catalog = await this.api.listPresets();
      this.catalog = catalog;
      const first = this.seedDebateId ?? this.scenarios[0]?.id;
      if (first && !this.draft) {
        const sc = catalog.scenarios.find((s) => s.id === first)!;
        this.scenarioId = first;
        this.draft = clone(sc.config);
        this.sessions.markClean();
      }
    });
  }

  /** Picks a scenario; keeps the selected hardware profile (the two choices are orthogonal). */
  selectScenario(id: string): void {
    const sc = this.catalog?.scenarios.find((s) => s.id === id);
    if (!sc) return;
    const hardware = this.draft ? clone(this.draft.hardware) : null;
    const next = clone(sc.config);
    this.scenarioId = id;
    if (hardware && hardware.id !== next.hardware.id) this.#setHardware(next, hardware);
    this.draft = next;
  }

  selectHardware(id: string): void {
    const hw = this.hardwareList.find((h) => h.id === id);
    if (!hw || !this.draft) return;
    this.#setHardware(this.draft, hw);
  }

  /**
   * The engine's resolution of the current scenario on a profile, when the catalog carries one.
   * Contract with the hosts' listPresets: an entry with id '<scenario>@<hardware id>' is scenario
   * <scenario> resolved by the engine on that profile (e.g. a guest protected only under pKVM).
   */
  #variant(scenarioId: string, hw: HardwareProfile): ScenarioConfig | null {
    const list = this.catalog?.scenarios ?? [];
    const base = list.find((s) => s.id === scenarioId);
    if (base && base.config.hardware.id === hw.id) return base.config;
    return list.find((s) => s.id === `${scenarioId}@${hw.id}`)?.config ?? null;
  }

  /**
   * Swaps the hardware, keeping the user's edits. What depends on the profile comes from the engine's
   * resolution when there is one (name, guests' protection, default harvest); a harvest that was the
   * old profile's default follows the new profile's default.
   */
  #setHardware(config: ScenarioConfig, hw: HardwareProfile, scenarioId = this.scenarioId): void {
    const variant = this.#variant(scenarioId, hw);
    const oldName = config.hardware.name;
    if (config.reclaim.harvest === config.hardware.defaultHarvest)
      config.reclaim.harvest = variant?.reclaim.harvest ?? hw.defaultHarvest;
    if (variant) {
      config.name = variant.name;
      for (const g of config.guests) {
        const v = variant.guests.find((x) => x.name === g.name);
        if (v) g.protected = v.protected;
      }
    } else {
      if (config.name.endsWith(` — ${oldName}`)) config.name = `${config.name.slice(0, -oldName.length)}${hw.name}`;
      // No engine resolution for this profile (e.g. an imported one): protected guests exist only under pKVM.
      if (!hw.pkvm) for (const g of config.guests) g.protected = false;
    }
    config.hardware = clone(hw);
  }

  // ------------------------------------------------------------ runs

  /** One event of the live run: a finished run joins the list; a failure shows its error. */
  #deliver(live: LiveRun, event: RunEvent): RunResult | 'failed' | null {
    const result = live.handle(event);
    if (result) {
      this.runs = [...this.runs, result];
      this.selectedRun = this.runs.length - 1;
      return result;
    }
    if (event.type !== 'error') return null;
    this.showError(`Run failed (${live.label})`, event.error);
    return 'failed';
  }

  /** Starts a run of `config`; resolves when it finished (null if it failed to start or failed). */
  async #start(config: ScenarioConfig): Promise<RunResult | null> {
    const r = await this.#router.starting(() => this.guard('Could not start the run', () => this.api.startRun(config)));
    if (!r) return null;
    if (!r.ok) {
      this.showError('Invalid configuration', r.error);
      this.invalidProblems = r.error.problems ?? r.error.message.split('\n').slice(1);
      return null;
    }
    const identity = runIdentity(config, this.catalog);
    const label = `#${this.runs.length + 1} ${config.hardware.name}${identity ? ` · ${identity}` : ''}`;
    const live = new LiveRun(r.value.runId, config, label);
    this.live = live;
    this.view = 'run';
    return this.#router.attach(live);
  }

  async run(): Promise<void> {
    if (!this.draft || this.running) return;
    this.dismissError();
    await this.#start($state.snapshot(this.draft) as ScenarioConfig);
  }

  /** The seed debate on every hardware profile, one after the other, then the compare view. */
  async runAllProfiles(): Promise<void> {
    const id = this.seedDebateId;
    if (!this.catalog || !id || this.running) return;
    const base =
      this.scenarioId === id && this.draft
        ? ($state.snapshot(this.draft) as ScenarioConfig)
        : clone(this.catalog.scenarios.find((s) => s.id === id)!.config);
    this.batch = true;
    this.dismissError();
    const made: number[] = [];
    try {
      for (const hw of this.seedDebateProfiles) {
        const config = clone(base);
        this.#setHardware(config, hw, id);
        const result = await this.#start(config);
        if (!result) return;
        made.push(this.runs.length - 1);
        if (result.stopped) return;
      }
      this.compareRuns = made;
      this.view = 'compare';
    } finally {
      this.batch = false;
    }
  }

  async pause(): Promise<void> {
    const live = this.live;
    if (!live?.active) return;
    await this.guard('Could not pause', () =>
      live.state === 'paused' ? this.api.resumeRun(live.runId) : this.api.pauseRun(live.runId),
    );
  }

  async stop(): Promise<void> {
    const live = this.live;
    if (!live?.active) return;
    this.batch = false;
    await this.guard('Could not stop', () => this.api.stopRun(live.runId));
  }

  selectRun(index: number): void {
    this.selectedRun = index;
    if (this.live && !this.live.active) this.live = null;
    this.view = 'run';
  }

  toggleCompare(index: number): void {
    this.compareRuns = this.compareRuns.includes(index)
      ? this.compareRuns.filter((i) => i !== index)
      : [...this.compareRuns, index].sort((a, b) => a - b);
  }

  removeRun(index: number): void {
    if (this.running) return;
    const b = this.screen.baseline;
    this.screen.baseline = b === index ? -1 : b > index ? b - 1 : b;
    this.runs = this.runs.filter((_, i) => i !== index);
    this.compareRuns = this.compareRuns.filter((i) => i !== index).map((i) => (i > index ? i - 1 : i));
    // Sweeps of an opened session name runs by index: the removed run is no longer there, later ones move.
    this.sweeps = this.sweeps?.map((sw) => ({
      ...sw,
      points: sw.points.map((p) => ({
        ...p,
        runs: p.runs.map((i) => (i === index ? -1 : i > index ? i - 1 : i)),
      })),
    }));
    if (this.selectedRun >= this.runs.length || this.selectedRun === index) this.selectedRun = this.runs.length - 1;
    if (this.live && !this.live.active) this.live = null;
  }

  toggleChart(column: SampleColumn): void {
    this.chartColumns = this.chartColumns.includes(column)
      ? this.chartColumns.filter((c) => c !== column)
      : DEFAULT_CHART_COLUMNS.filter((c) => c === column || this.chartColumns.includes(c));
  }

  /** The session as SessionData (sessions.svelte.ts); kept here for callers that compose LabState (the sweep view). */
  session(): SessionData | null {
    return this.sessions.session();
  }

  // ------------------------------------------------------------ undo / redo of setup edits

  undo(): void {
    this.#replaceDraft(this.history.undo());
  }

  redo(): void {
    this.#replaceDraft(this.history.redo());
  }

  #replaceDraft(json: string | null): void {
    if (json === null || this.running) return;
    this.draft = JSON.parse(json) as ScenarioConfig;
  }

  // ------------------------------------------------------------ commands (menu and keyboard)

  async command(c: MenuCommand): Promise<void> {
    switch (c) {
      case 'new':
        return this.sessions.newSession();
      case 'open':
        return this.sessions.open();
      case 'save':
        return this.sessions.save(false);
      case 'save-as':
        return this.sessions.save(true);
      case 'export-csv':
        return this.sessions.exportCsv();
      case 'run':
        return this.run();
      case 'pause':
        return this.pause();
      case 'stop':
        return this.stop();
      case 'about':
        this.notice = `Overcommit Lab ${APP_VERSION} (${this.api.edition} edition)`;
        return;
      default: {
        const never: never = c;
        throw new Error(`unexpected menu command ${String(never)}`);
      }
    }
  }
}
