/**
 * Heat-map columns of the live run, as they arrive ('heat' run events), per guest; and the chosen
 * colouring. A finished run's heat map comes from RunResult.heatmap instead. Columns are kept in
 * growable byte buffers (not reactive); `version` is bumped once per animation frame at most.
 */
import type { GuestHeatmap, RunEvent, RunHeatmap, ScenarioConfig } from '../../../engine/protocol.ts';
import type { HeatMode } from '../lib/heatColors.ts';
import { HEAT_CHANNELS } from '../lib/protocolLists.ts';

/** Same as engine/core/sim/heatmap.ts HEAT_BINS (the renderer imports no engine code). */
const BINS = 128;

interface Growing {
  tMs: number[];
  cells: Uint8Array;
  count: number;
}

export class LiveHeat {
  version = $state(0);
  readonly #guests: Growing[];
  readonly #names: string[];
  readonly #pages: number[];
  readonly #ageKind: RunHeatmap['ageKind'];
  #frame = 0;

  constructor(config: ScenarioConfig) {
    this.#names = config.guests.map((g) => g.name);
    this.#pages = config.guests.map((g) => Math.round(g.memoryMiB * 256));
    this.#guests = config.guests.map(() => ({ tMs: [], cells: new Uint8Array(0), count: 0 }));
    const policy = config.reclaim.policy;
    this.#ageKind = policy === 'mglru' ? 'generations' : policy === 'active-inactive' ? 'inactive' : 'none';
  }

  add(e: Extract<RunEvent, { type: 'heat' }>): void {
    const g = this.#guests[e.guest];
    const size = HEAT_CHANNELS.length * BINS;
    if (!g || e.cells.length !== size) return;
    if ((g.count + 1) * size > g.cells.length) {
      const bigger = new Uint8Array(Math.max(size * 16, g.cells.length * 2));
      bigger.set(g.cells.subarray(0, g.count * size));
      g.cells = bigger;
    }
    g.cells.set(e.cells, g.count * size);
    g.tMs.push(e.tMs);
    g.count++;
    if (this.#frame === 0)
      this.#frame = requestAnimationFrame(() => {
        this.#frame = 0;
        this.version++;
      });
  }

  /** The columns so far, as a RunHeatmap (views, no copy). */
  map(): RunHeatmap {
    const size = HEAT_CHANNELS.length * BINS;
    const guests: GuestHeatmap[] = this.#guests.map((g, i) => ({
      name: this.#names[i],
      pages: this.#pages[i],
      pagesPerBin: Math.max(1, Math.ceil(this.#pages[i] / BINS)),
      tMs: Float64Array.from(g.tMs),
      cells: g.cells.subarray(0, g.count * size),
    }));
    return { bins: BINS, ageKind: this.#ageKind, guests };
  }
}

/** The heat-map view's choices (shared by the run and compare screens). */
export class HeatView {
  mode = $state<HeatMode>('state');
}
