/**
 * The browser edition's engine side: presets bundled by Vite, validation by engine/core/config, and
 * runs on Web Workers through engine/host/web.
 */
import type { PresetCatalog, Result, RunEvent, RunResult, ScenarioConfig } from '../engine/protocol.ts';
import type { RunHandle } from '../engine/host/engine.ts';
import type * as WebHostModule from './webHost.ts';

type WebHost = typeof WebHostModule;
import { buildCatalog, parseHardwarePresetFile } from '../engine/core/config/index.ts';
import type { TraceLibrary } from '../engine/core/trace/index.ts';
import { loadBundledPresets } from '../presets/browser.ts';
import type { BrowserDeps, EngineRun } from './labApi.ts';
import type { SweepServiceDeps } from '../engine/host/sweepService.ts';
import type { ReproServiceDeps } from '../engine/host/reproduceService.ts';
import { defaultReproConcurrency } from '../engine/host/reproduce.ts';
import { webCores } from '../engine/host/web/spawn.ts';

let bundledSet: ReturnType<typeof loadBundledPresets>['set'] | null = null;
/** The bundled presets, loaded once for sweeps and reproductions. */
const presetSet = () => (bundledSet ??= loadBundledPresets().set);

/** Sweeps on Web Workers: the same presets as the catalog, each run through the lazily loaded engine host. */
function sweepDeps(): SweepServiceDeps {
  return {
    presets: presetSet,
    defaultWorkers: () => webCores(),
    startRun: (config, traces) => lazyRun((m) => m.startWebSweepRun(config, traces)),
  };
}

/** Reproductions on Web Workers: the bundled presets, each run through the lazily loaded engine host. */
function reproDeps(): ReproServiceDeps {
  return {
    presets: presetSet,
    concurrency: () => defaultReproConcurrency(webCores()),
    startRun: (config, onProgress) => lazyRun((m) => m.startWebReproRun(config, onProgress)),
  };
}

/**
 * A run started once the engine host module has loaded (it is loaded lazily, so presets and the UI come
 * up first); a stop before then stops the run as soon as it starts.
 */
function lazyRun(start: (m: WebHost) => RunHandle): { done: Promise<RunResult>; stop(): void } {
  let stopped = false;
  let handle: RunHandle | null = null;
  const done = import('./webHost.ts').then((m) => {
    const h = start(m);
    handle = h;
    if (stopped) h.stop();
    return h.done;
  });
  return {
    done,
    stop: () => {
      stopped = true;
      handle?.stop();
    },
  };
}

/** The catalog (engine/core/config/catalog.ts: every scenario plus its per-profile variants). */
export function browserCatalog(): PresetCatalog {
  const { set, problems } = loadBundledPresets();
  if (problems.length > 0) console.warn(`preset problems:\n${problems.join('\n')}`);
  const catalog = buildCatalog(set);
  if (catalog.hardware.length === 0)
    throw new Error(`no hardware presets could be loaded${problems.length ? `:\n${problems.join('\n')}` : ''}`);
  return catalog;
}

async function startEngineRun(
  config: ScenarioConfig,
  onEvent: (e: RunEvent) => void,
  traces: TraceLibrary,
): Promise<Result<EngineRun>> {
  if (!globalThis.crossOriginIsolated) {
    return {
      ok: false,
      error: {
        name: 'NotCrossOriginIsolated',
        message: 'SharedArrayBuffer is unavailable: the page is not cross-origin isolated (COOP/COEP headers missing).',
      },
    };
  }
  // The config, then its trace workloads against the traces this page loaded (LabApi.loadTrace).
  const valid = traces.validateRun(config);
  if (!valid.ok) return valid;
  const { startWebRun } = await import('./webHost.ts');
  return startWebRun(valid.value, onEvent, traces.pageIdsFor(valid.value));
}

export function engineDeps(): Omit<BrowserDeps, 'promptFileName'> {
  let catalog: PresetCatalog | null = null;
  return {
    listPresets: async () => (catalog ??= browserCatalog()),
    parseHardwarePreset: (text, fileName) => parseHardwarePresetFile(text, fileName),
    startRun: startEngineRun,
    sweeps: sweepDeps(),
    reproductions: reproDeps(),
  };
}
