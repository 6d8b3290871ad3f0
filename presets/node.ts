/**
 * Node adapter: reads every presets/<folder>/*.json as text and hands the map to the pure loader.
 * File names in messages are relative to the presets directory ('hardware/pkvm.json').
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPresets, type LoadedPresets, type TraceInfo } from '../engine/core/config/index.ts';

/** The presets directory next to this file (in the source tree). Bundles pass their own `dir`. */
export const defaultPresetDir = path.dirname(fileURLToPath(import.meta.url));

/** fileName (relative, '/'-separated) -> text, for every *.json under `dir`. */
export function readPresetTexts(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const visit = (sub: string): void => {
    for (const entry of readdirSync(path.join(dir, sub)).sort()) {
      const rel = sub ? `${sub}/${entry}` : entry;
      const full = path.join(dir, rel);
      if (statSync(full).isDirectory()) visit(rel);
      else if (entry.endsWith('.json')) files[rel] = readFileSync(full, 'utf8');
    }
  };
  visit('');
  return files;
}

export function loadPresetDir(dir = defaultPresetDir, options: { traces?: TraceInfo } = {}): LoadedPresets {
  return loadPresets(readPresetTexts(dir), options);
}
