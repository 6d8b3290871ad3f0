/**
 * Presets: JSON data in hardware/, workloads/ and scenarios/ (format: engine/core/config/presetFile.ts).
 * The loader is pure (engine/core/config/presetSet.ts: a map fileName -> JSON); two thin adapters
 * feed it: node.ts (fs, for the CLI, Electron main and tests) and browser.ts (Vite import.meta.glob,
 * for the browser edition). This module re-exports the pure API so callers need one import.
 */
export {
  loadPresets,
  resolveScenario,
  scenarioProfiles,
  buildCatalog,
  parsePresetFile,
  parseHardwarePresetFile,
  type PresetSet,
  type LoadedPresets,
  type ScenarioOverrides,
  type ScenarioPreset,
  type WorkloadPreset,
} from '../engine/core/config/index.ts';
