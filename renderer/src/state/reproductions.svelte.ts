/**
 * The Reproductions view's state: the reproductions the host lists (figures, bands, inputs with their
 * sources), the job running (LabApi.startReproductions: progress, the reproductions it covers), the
 * result of each reproduction as it arrives (figures and the runs' curves), and which one is shown.
 *
 * Contract: the host runs the reproductions and computes every figure (engine/host/reproduce.ts, the
 * same runner as `lab reproduce`); this state only files the ReproEvents of its own job. Results stay
 * until the same reproduction delivers a new one: a stop or a failed run removes nothing computed.
 * Results are not part of the session file (they are recomputed from the presets, deterministically).
 * A what-if (`profile`: every run on one hardware profile, `lab reproduce --profile`) files its results
 * apart (lib/reproductions.ts reproResultKey): the table shows those of the hardware chosen.
 */
import type { ReproductionInfo, ReproductionResult, ReproEvent } from '../../../engine/protocol.ts';
import { reproResultKey } from '../lib/reproductions.ts';
import type { LabState } from './lab.svelte.ts';

export interface ReproProgress {
  fraction: number;
  done: number;
  total: number;
  /** Run keys going now (scenario/harvest/policy). */
  running: string[];
}

export class ReproductionsState {
  /** The Reproductions tab is showing (App.svelte's tab hook). */
  active = $state(false);
  infos = $state.raw<ReproductionInfo[]>([]);
  /** By reproResultKey (reproduction id, what-if profile): the latest complete result. */
  results = $state.raw<Record<string, ReproductionResult>>({});
  /** The hardware the next run uses and the table shows: '' = each reproduction's own, else a what-if's profile id. */
  profile = $state('');
  /** The profile of the job going (or last run), '' = each reproduction's own. */
  jobProfile = $state('');
  /** The reproduction whose curves and inputs are shown. */
  selected = $state('');
  running = $state(false);
  /** The reproductions of the job going (or last run). */
  jobIds = $state.raw<string[]>([]);
  progress = $state.raw<ReproProgress | null>(null);
  /** A refusal, a failed run or a listing problem, one line. */
  error = $state('');
  /** What the last job ended with ('stopped: …' / 'done'), for the status line. */
  status = $state('');

  #jobId: string | null = null;
  #unsubscribe: () => void = () => {};
  readonly #lab: () => LabState;

  constructor(lab: () => LabState) {
    this.#lab = lab;
  }

  get lab(): LabState {
    return this.#lab();
  }

  get selectedInfo(): ReproductionInfo | undefined {
    return this.infos.find((i) => i.id === this.selected);
  }

  /** The result of reproduction `id` on the hardware chosen, if it has run there. */
  resultOf(id: string): ReproductionResult | undefined {
    return this.results[reproResultKey(id, this.profile)];
  }

  /** Reproduction `id` is among the runs going, on the hardware chosen. */
  pending(id: string): boolean {
    return this.running && this.jobProfile === this.profile && this.jobIds.includes(id);
  }

  attach(): () => void {
    this.#unsubscribe = this.lab.api.onReproductionEvent((e) => this.#onEvent(e));
    void this.load();
    return () => this.#unsubscribe();
  }

  async load(): Promise<void> {
    const r = await this.lab.api.listReproductions();
    if (!r.ok) {
      this.error = `cannot list the reproductions: ${r.error.message}`;
      return;
    }
    this.infos = r.value;
    if (!this.selected && r.value.length > 0) this.selected = r.value[0].id;
  }

  /** Runs the reproductions named (every one when `ids` is omitted). */
  async run(ids: string[] = this.infos.map((i) => i.id)): Promise<void> {
    if (this.running || ids.length === 0) return;
    this.error = '';
    this.status = '';
    this.running = true;
    this.jobIds = ids;
    const profile = this.profile;
    this.jobProfile = profile;
    this.progress = { fraction: 0, done: 0, total: 0, running: [] };
    this.#jobId = null;
    if (ids.length === 1) this.selected = ids[0];
    const r = await this.lab.api.startReproductions(ids, profile ? { profile } : undefined);
    if (!r.ok) {
      this.error = r.error.message;
      this.running = false;
      this.progress = null;
      return;
    }
    // Events may have come first (the host starts the first runs before it answers): they were kept.
    this.#jobId ??= r.value.jobId;
  }

  async stop(): Promise<void> {
    if (this.running && this.#jobId) await this.lab.api.stopReproductions(this.#jobId);
  }

  #onEvent(e: ReproEvent): void {
    if (!this.running) return;
    // The first event of the job this window started may arrive before startReproductions answers.
    if (this.#jobId === null) this.#jobId = e.jobId;
    if (e.jobId !== this.#jobId) return;
    switch (e.type) {
      case 'repro-progress':
        this.progress = { fraction: e.fraction, done: e.done, total: e.total, running: e.running };
        return;
      case 'repro-result':
        this.results = { ...this.results, [reproResultKey(e.result.id, e.result.profile)]: e.result };
        return;
      case 'repro-done':
        this.running = false;
        this.status = e.stopped
          ? 'stopped: the runs going were dropped; the reproductions finished before stay'
          : 'done';
        return;
      case 'repro-error':
        this.running = false;
        this.error = e.error.message;
        return;
      default: {
        const never: never = e;
        throw new Error(`unexpected reproduction event ${JSON.stringify(never)}`);
      }
    }
  }
}
