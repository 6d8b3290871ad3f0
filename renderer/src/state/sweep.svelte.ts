/**
 * The Sweep view's state: the sweep being built (scenario, axes picked from the knobs, seeds), the
 * sweep running or done (its record, each run's result as it arrives, each point's statistics), and
 * what the plot shows (metric, x axis, log scale, hovered point).
 *
 * Contract: the host validates and runs the sweep (LabApi.startSweep, engine/core/sweep); this state
 * only parses what the user typed into a SweepSpec and files the SweepEvents of its own sweep. The
 * statistics come with the events (mean and 95 % CI over the seeds, computed by the engine).
 */
import type {
  PointStats,
  RunResult,
  SessionData,
  SweepEvent,
  SweepRecord,
  SweepSpec,
  SweepValue,
} from '../../../engine/protocol.ts';
import { harvestUnavailable } from '../lib/hardware.ts';
import { HARVEST_MODES, RECLAIM_POLICIES } from '../lib/protocolLists.ts';
import type { LabState } from './lab.svelte.ts';

/** A knob the user can sweep: its config path, what its values are, and the choices when it has them. */
export interface Knob {
  path: string;
  label: string;
  kind: 'number' | 'choice' | 'flag';
  choices?: string[];
}

export interface AxisDraft {
  path: string;
  /** Comma-separated values as typed ("3.90625, 39.0625" or "exact-lru, clock"). */
  text: string;
}

/** Session v2 (engine/protocol.ts SESSION_VERSION): the first version with sweeps. */
const SWEEP_SESSION_VERSION = 2;

export function knobsFor(lab: LabState, scenarioId: string): Knob[] {
  const config = lab.scenarios.find((s) => s.id === scenarioId)?.config;
  // The harvest axis is filled with the modes the scenario's hardware allows (the engine's rule, via
  // harvestUnavailable): every mode filled in 'hypercall' on the non-pKVM profiles, and the sweep the
  // user got by picking the axis and pressing Run sweep was refused for that one point.
  const harvests = config
    ? HARVEST_MODES.filter(
        (m) => harvestUnavailable(m, config.hardware, config.reclaim.allowLocklessWithoutHafdbs) === null,
      )
    : [...HARVEST_MODES];
  const knobs: Knob[] = [
    { path: 'host.memoryMiB', label: 'host memory (MiB)', kind: 'number' },
    { path: 'reclaim.policy', label: 'reclaim policy', kind: 'choice', choices: [...RECLAIM_POLICIES] },
    { path: 'reclaim.harvest', label: 'harvest mode', kind: 'choice', choices: harvests },
    { path: 'hardware', label: 'hardware profile', kind: 'choice', choices: lab.hardwareList.map((h) => h.id) },
    { path: 'guests.*.vcpus', label: 'vCPUs (every guest)', kind: 'number' },
  ];
  for (const g of config?.guests ?? []) {
    knobs.push({ path: `guests.${g.name}.memoryMiB`, label: `${g.name}: memory (MiB)`, kind: 'number' });
    knobs.push({ path: `guests.${g.name}.vcpus`, label: `${g.name}: vCPUs`, kind: 'number' });
  }
  knobs.push(
    { path: 'reclaim.lookaround', label: 'lookaround', kind: 'flag' },
    { path: 'reclaim.mapYoung', label: 'map new pages young', kind: 'flag' },
    { path: 'reclaim.tlb.enabled', label: 'vCPU TLB', kind: 'flag' },
    { path: 'reclaim.agingIntervalMs', label: 'aging interval (ms)', kind: 'number' },
    { path: 'run.durationMs', label: 'virtual duration (ms)', kind: 'number' },
  );
  return knobs;
}

/** The typed values of an axis, or a message naming the bad one. */
export function parseAxisValues(knob: Knob | undefined, text: string): SweepValue[] | string {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) return 'give at least one value';
  if (!knob || knob.kind === 'choice') return items;
  if (knob.kind === 'flag') {
    const bad = items.find((s) => s !== 'true' && s !== 'false');
    return bad === undefined ? items.map((s) => s === 'true') : `'${bad}' is not true or false`;
  }
  const nums = items.map(Number);
  const bad = items.findIndex((_, i) => !Number.isFinite(nums[i]));
  return bad === -1 ? nums : `'${items[bad]}' is not a number`;
}

export function parseSeeds(text: string): number[] | string {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) return 'give at least one seed';
  const bad = items.find((s) => !/^\d+$/.test(s));
  return bad === undefined ? items.map(Number) : `seed '${bad}' is not a whole number`;
}

/**
 * What the seeds field will run, shown beside it: the field is a list of seed values, not a count, so
 * '2' is one run per point with seed 2 (a user typing 2 for "two seeds" sees it before running). An
 * invalid list shows nothing here; Run sweep names the problem.
 */
export function seedsHint(text: string): string {
  const seeds = parseSeeds(text);
  if (typeof seeds === 'string') return '';
  const n = seeds.length;
  return `= ${n} run${n > 1 ? 's' : ''} per point (seed${n > 1 ? 's' : ''} ${seeds.join(', ')})`;
}

export class SweepState {
  /** The Sweep tab is showing (App.svelte's tab hook). */
  active = $state(false);
  scenarioId = $state('');
  axes = $state<AxisDraft[]>([{ path: 'host.memoryMiB', text: '' }]);
  seedsText = $state('1');
  workersText = $state('');
  /** Build errors (bad value typed) and the host's refusal (bad spec), one line. */
  error = $state('');

  sweepId = $state<string | null>(null);
  record = $state.raw<SweepRecord | null>(null);
  /** By run index (point × seeds + seed). */
  results = $state.raw<(RunResult | undefined)[]>([]);
  stats = $state.raw<(PointStats | undefined)[]>([]);
  done = $state(0);
  total = $state(0);
  running = $state(false);
  startedAt = 0;

  metric = $state('missRatio');
  xAxis = $state(0);
  logX = $state(true);
  hovered = $state<number | null>(null);

  #unsubscribe: () => void = () => {};
  /** The record last saved (Save sweep) or shown from the opened session: nothing to lose while shown. */
  #savedRecord = $state.raw<SweepRecord | null>(null);

  readonly #lab: () => LabState;

  /** `lab` is read through a getter: the app's LabState prop. */
  constructor(lab: () => LabState) {
    this.#lab = lab;
  }

  get lab(): LabState {
    return this.#lab();
  }

  attach(): () => void {
    this.#unsubscribe = this.lab.api.onSweepEvent((e) => this.#onEvent(e));
    return () => this.#unsubscribe();
  }

  /**
   * Runs a close, a reload or a new sweep would drop: those of the sweep shown when it is running or
   * finished and not saved since; null when none has finished (nothing computed to lose) or it is saved.
   */
  get unsavedRuns(): number | null {
    if (!this.record || this.record === this.#savedRecord || this.done === 0) return null;
    return this.done;
  }

  get knobs(): Knob[] {
    return knobsFor(this.lab, this.scenarioId);
  }

  addAxis(): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
    const used = new Set(this.axes.map((a) => a.path));
    const next = this.knobs.find((k) => !used.has(k.path));
    if (next) this.axes = [...this.axes, { path: next.path, text: next.choices?.join(', ') ?? '' }];
    this.error = '';
  }

  removeAxis(i: number): void {
    this.axes = this.axes.filter((_, j) => j !== i);
    this.error = '';
  }

  /** Picks axis i's knob; the last message, about what the form held before, goes. */
  setAxisPath(i: number, path: string): void {
    const knob = this.knobs.find((k) => k.path === path);
    this.axes = this.axes.map((a, j) => (j === i ? { path, text: knob?.choices?.join(', ') ?? a.text } : a));
    this.error = '';
  }

  /** The spec as the user built it, or a message naming what to fix. */
  spec(): SweepSpec | string {
    if (!this.scenarioId) return 'pick a scenario';
    const axes: SweepSpec['axes'] = {};
    for (const a of this.axes) {
      const knob = this.knobs.find((k) => k.path === a.path);
      // Only a scenario switch leaves such an axis (a guest the new scenario lacks); the view lists it.
      if (!knob) return `${a.path}: not a knob of ${this.scenarioId}; pick another for this axis`;
      const values = parseAxisValues(knob, a.text);
      if (typeof values === 'string') return `${a.path}: ${values}`;
      if (axes[a.path]) return `${a.path} is used twice`;
      axes[a.path] = values;
    }
    const seeds = parseSeeds(this.seedsText);
    if (typeof seeds === 'string') return seeds;
    return { scenario: this.scenarioId, axes, seeds };
  }

  async start(): Promise<void> {
    const spec = this.spec();
    if (typeof spec === 'string') {
      this.error = spec;
      return;
    }
    this.error = '';
    if (!(await this.#confirmReplace('Run a new sweep', 'A new sweep'))) return;
    const workers = Number(this.workersText);
    const r = await this.lab.api.startSweep(spec, this.workersText && workers >= 1 ? { workers } : {});
    if (!r.ok) {
      this.error = r.error.message;
      return;
    }
    this.#reset(r.value.record, r.value.sweepId);
    this.running = true;
  }

  /**
   * Shows a sweep of the opened session (LabState.sweeps, e.g. from `lab sweep --out`): its record, its
   * runs from the session, and each point's statistics computed by the host (LabApi.sweepStats).
   */
  async showSaved(index = 0): Promise<void> {
    const record = this.lab.sweeps?.[index];
    if (!record || this.running) return;
    if (!(await this.#confirmReplace("Show the session's sweep", "The session's sweep"))) return;
    const runs = this.lab.runs;
    const seeds = record.seeds.length;
    this.#reset(record, null);
    this.#savedRecord = record;
    const results = [...this.results];
    record.points.forEach((p, i) => p.runs.forEach((r, s) => (results[i * seeds + s] = r >= 0 ? runs[r] : undefined)));
    this.results = results;
    this.done = results.filter(Boolean).length;
    const stats = await this.lab.api.sweepStats(
      record.points.map((p) => p.runs.filter((r) => r >= 0 && runs[r]).map((r) => runs[r].summary)),
    );
    if (!stats.ok) {
      this.error = stats.error.message;
      return;
    }
    this.stats = stats.value;
  }

  /** True when the sweep shown has nothing unsaved, or the user agreed to drop it for `action`. */
  async #confirmReplace(action: string, replacer: string): Promise<boolean> {
    const lose = this.unsavedRuns;
    if (lose === null) return true;
    return this.lab.confirm.ask({
      title: `${action}?`,
      message: `The sweep shown has ${lose} run${lose === 1 ? '' : 's'} not saved. ${replacer} replaces it; Save sweep keeps it.`,
      confirm: `Discard and ${action.charAt(0).toLowerCase()}${action.slice(1)}`,
      cancel: 'Cancel',
    });
  }

  async stop(): Promise<void> {
    if (this.sweepId && this.running) await this.lab.api.stopSweep(this.sweepId);
  }

  #reset(record: SweepRecord, sweepId: string | null): void {
    this.sweepId = sweepId;
    this.record = record;
    this.results = new Array(record.points.length * record.seeds.length).fill(undefined);
    this.stats = new Array(record.points.length).fill(undefined);
    this.done = 0;
    this.total = record.points.length * record.seeds.length;
    this.hovered = null;
    this.startedAt = Date.now();
    // Plot against the first numeric axis (a curve), log scale for memory (miss-ratio curves).
    const numeric = record.axes.findIndex((a) => a.values.every((v) => typeof v === 'number'));
    this.xAxis = Math.max(0, numeric);
    this.logX = record.axes[this.xAxis]?.path.endsWith('memoryMiB') ?? false;
    const traceRun = record.base.guests.some((g) => g.workload.kind === 'trace');
    this.metric = traceRun ? 'missRatio' : 'hitRate';
  }

  #onEvent(e: SweepEvent): void {
    if (e.sweepId !== this.sweepId) return;
    switch (e.type) {
      case 'sweep-started':
        return;
      case 'sweep-run': {
        const seeds = this.record?.seeds.length ?? 1;
        const results = [...this.results];
        results[e.pointIndex * seeds + e.seedIndex] = e.result;
        this.results = results;
        const stats = [...this.stats];
        stats[e.pointIndex] = e.stats;
        this.stats = stats;
        this.done = e.done;
        this.total = e.total;
        return;
      }
      case 'sweep-done':
        this.record = e.record;
        this.running = false;
        return;
      case 'sweep-error':
        this.error = e.error.message;
        this.running = false;
        return;
      default: {
        const never: never = e;
        throw new Error(`unexpected sweep event ${JSON.stringify(never)}`);
      }
    }
  }

  /** Seconds left at the current pace, or null before the first run finished. */
  get etaSeconds(): number | null {
    if (this.done === 0 || !this.running) return null;
    return Math.round((((Date.now() - this.startedAt) / this.done) * (this.total - this.done)) / 1000);
  }

  /** Metric names the points have (every numeric summary field plus missRatio). */
  get metrics(): string[] {
    const first = this.stats.find((s) => s !== undefined);
    return first ? Object.keys(first).sort() : [];
  }

  /** The first completed run of a point (its first seed that has run). */
  runOf(pointIndex: number): RunResult | undefined {
    const seeds = this.record?.seeds.length ?? 1;
    for (let s = 0; s < seeds; s++) {
      const r = this.results[pointIndex * seeds + s];
      if (r) return r;
    }
    return undefined;
  }

  /** Opens a point's run in the Run view (added to the session's runs). */
  openRun(pointIndex: number): void {
    const run = this.runOf(pointIndex);
    if (!run) return;
    this.lab.runs = [...this.lab.runs, run];
    this.lab.selectRun(this.lab.runs.length - 1);
    this.active = false;
  }

  /** The sweep as a session of its own (runs + record, session v2), for LabApi.saveSession. */
  session(): SessionData | null {
    const base = this.lab.sessions.session();
    if (!this.record || !base) return null;
    const runs: RunResult[] = [];
    const at = this.results.map((r) => (r ? runs.push(r) - 1 : -1));
    const seeds = this.record.seeds.length;
    const record: SweepRecord = {
      ...this.record,
      points: this.record.points.map((p, i) => ({ ...p, runs: p.runs.map((_, s) => at[i * seeds + s]) })),
    };
    return {
      ...base,
      version: SWEEP_SESSION_VERSION,
      draft: record.base,
      runs,
      ui: { ...base.ui, view: 'compare', selectedRun: runs.length > 0 ? 0 : -1, compareRuns: [] },
      sweeps: [record],
    };
  }

  async save(): Promise<void> {
    const session = this.session();
    if (!session) return;
    const record = this.record;
    const r = await this.lab.api.saveSession(session, { saveAs: true });
    if (!r.ok) this.error = r.error.message;
    // Saved as it was when Save was pressed; a sweep still running has more to save later.
    else if (!r.value.canceled && record === this.record && !this.running) this.#savedRecord = record;
  }
}
