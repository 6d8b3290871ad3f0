/**
 * The browser edition's engine side: presets bundled by Vite, validation by engine/core/config, and
 * runs on Web Workers through engine/host/web.
 */
import type { PresetCatalog, Result, RunEvent, ScenarioConfig } from '../engine/protocol.ts';
import {
  buildCatalog,
  parseHardwarePresetFile,
  resolveScenario,
  scenarioProfiles,
  validateScenario,
} from '../engine/core/config/index.ts';
import { loadBundledPresets } from '../presets/browser.ts';
import type { BrowserDeps, EngineRun } from './labApi.ts';

/**
 * The catalog, plus every multi-profile scenario resolved by the engine on each of its other profiles
 * under the id '<scenario>@<hardware id>' (the renderer uses these when the user switches profile).
 */
export function browserCatalog(): PresetCatalog {
  const { set, problems } = loadBundledPresets();
  if (problems.length > 0) console.warn(`preset problems:\n${problems.join('\n')}`);
  const catalog = buildCatalog(set);
  for (const { id, config } of [...catalog.scenarios]) {
    for (const hw of scenarioProfiles(set, id)) {
      if (hw === config.hardware.id) continue;
      const r = resolveScenario(set, id, { hardware: hw });
      if (r.ok) catalog.scenarios.push({ id: `${id}@${hw}`, config: r.value });
    }
  }
  if (catalog.hardware.length === 0)
    throw new Error(`no hardware presets could be loaded${problems.length ? `:\n${problems.join('\n')}` : ''}`);
  return catalog;
}

async function startEngineRun(config: ScenarioConfig, onEvent: (e: RunEvent) => void): Promise<Result<EngineRun>> {
  if (!globalThis.crossOriginIsolated) {
    return {
      ok: false,
      error: {
        name: 'NotCrossOriginIsolated',
        message: 'SharedArrayBuffer is unavailable: the page is not cross-origin isolated (COOP/COEP headers missing).',
      },
    };
  }
  const valid = validateScenario(config);
  if (!valid.ok) return valid;
  const { startWebRun } = await import('./webHost.ts');
  return startWebRun(valid.value, onEvent);
}

export function engineDeps(): Omit<BrowserDeps, 'promptFileName'> {
  let catalog: PresetCatalog | null = null;
  return {
    listPresets: async () => (catalog ??= browserCatalog()),
    parseHardwarePreset: (text, fileName) => parseHardwarePresetFile(text, fileName),
    startRun: startEngineRun,
  };
}
