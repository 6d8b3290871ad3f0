/**
 * The Presets seam of the IPC handlers, backed by the engine's pure preset loader and validators.
 * Preset JSON is inlined into the main bundle at build time (presets/browser.ts uses Vite's eager
 * import.meta.glob, which electron-vite's main build and vitest both support), so the packaged app
 * reads no preset file from disk. A broken bundled preset is logged and left out, never fatal.
 * The catalog is engine/core/config's buildCatalog: every scenario plus its per-profile variants
 * ('<scenario>@<hardware id>'), the same catalog the browser edition lists.
 */
import type { PresetCatalog } from '../engine/protocol.ts';
import {
  buildCatalog,
  parseHardwarePresetFile,
  validateScenario,
  type LoadedPresets,
  type TraceInfo,
} from '../engine/core/config/index.ts';
import { loadBundledPresets } from '../presets/browser.ts';
import type { Presets } from './ipc/handlers.ts';

export function createPresets(
  options: { traces?: TraceInfo; load?: () => LoadedPresets; log?: (m: string) => void } = {},
): Presets {
  let catalog: PresetCatalog | null = null;
  return {
    async catalog() {
      if (catalog === null) {
        const loaded = (options.load ?? loadBundledPresets)();
        for (const p of loaded.problems) options.log?.(`preset problem: ${p}`);
        catalog = buildCatalog(loaded.set);
      }
      return catalog;
    },
    importHardware: (text, fileName) => parseHardwarePresetFile(text, fileName),
    validateScenario: (x) => validateScenario(x, options.traces ? { traces: options.traces } : {}),
  };
}
