/**
 * One run in flight, fed by RunEvents for its runId. Samples accumulate in a columnar buffer
 * (not reactive: it can be large); `version` is bumped at most once per animation frame, which is
 * what the charts' derived series depend on. So a burst of events costs one re-derive per frame.
 */
import type { RunEvent, RunResult, RunState, SampleColumns, ScenarioConfig } from '../../../engine/protocol.ts';
import { LiveHeat } from './heat.svelte.ts';
import { appendSamples, createSamplesBuffer, samplesView, type SamplesBuffer } from '../lib/samplesBuffer.ts';

export class LiveRun {
  readonly runId: string;
  readonly config: ScenarioConfig;
  readonly label: string;
  state = $state<RunState>('starting');
  fraction = $state(0);
  virtualMs = $state(0);
  /** Bumped (throttled) when new sample rows arrived. */
  version = $state(0);
  result = $state.raw<RunResult | null>(null);
  error = $state.raw<string | null>(null);
  /** Heat-map columns as they arrive. */
  readonly heat: LiveHeat;

  #buffer: SamplesBuffer = createSamplesBuffer();
  #frame = 0;

  constructor(runId: string, config: ScenarioConfig, label: string) {
    this.runId = runId;
    this.config = config;
    this.label = label;
    this.heat = new LiveHeat(config);
  }

  /** What the status line says: 'stopped' for a run the user stopped, else the run state. */
  get status(): string {
    return this.state === 'done' && this.result?.stopped ? 'stopped' : this.state;
  }

  get active(): boolean {
    return (
      this.state === 'starting' || this.state === 'running' || this.state === 'paused' || this.state === 'stopping'
    );
  }

  get rows(): number {
    return this.#buffer.rows;
  }

  /** Views of the rows so far; read `version` first to depend on updates. */
  samples(): SampleColumns {
    return samplesView(this.#buffer);
  }

  /** Applies one event for this run. Returns the result when the run finished. */
  handle(event: RunEvent): RunResult | null {
    switch (event.type) {
      case 'state':
        this.state = event.state;
        return null;
      case 'progress':
        this.fraction = Math.min(1, Math.max(0, event.fraction));
        this.virtualMs = event.virtualMs;
        return null;
      case 'samples':
        appendSamples(this.#buffer, event.startRow, event.columns);
        this.#scheduleVersion();
        return null;
      case 'done':
        this.result = event.result;
        this.state = 'done';
        // Completed runs reach 100 %; a stopped run keeps the fraction it reached.
        if (!event.result.stopped) this.fraction = 1;
        this.virtualMs = event.result.summary.virtualMs;
        this.version++;
        return event.result;
      case 'heat':
        this.heat.add(event);
        return null;
      case 'error':
        this.error = event.error.message;
        this.state = 'failed';
        return null;
      default: {
        const never: never = event;
        throw new Error(`unexpected run event ${JSON.stringify(never)}`);
      }
    }
  }

  #scheduleVersion(): void {
    if (this.#frame !== 0) return;
    const bump = () => {
      this.#frame = 0;
      this.version++;
    };
    this.#frame =
      typeof requestAnimationFrame === 'function'
        ? requestAnimationFrame(bump)
        : (setTimeout(bump, 16) as unknown as number);
  }
}
