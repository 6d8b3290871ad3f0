/// <reference types="vite/client" />
/**
 * Browser adapter: Vite inlines every preset JSON at build time (eager glob), keyed './hardware/x.json';
 * the pure loader strips the './'. Used by the browser edition's LabApi (web/).
 */
import { loadPresets, type LoadedPresets } from '../engine/core/config/index.ts';

const modules: Record<string, unknown> = import.meta.glob('./**/*.json', { eager: true, import: 'default' });

export function loadBundledPresets(): LoadedPresets {
  return loadPresets(modules);
}
