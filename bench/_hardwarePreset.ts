/** Diagnostics: a built-in hardware profile by id, from presets/hardware/<id>.json (the loader's checks). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseHardwarePresetFile } from '../engine/core/config/presetFile.ts';
import type { HardwareProfile } from '../engine/protocol.ts';

export function hardwarePreset(id: string): HardwareProfile {
  const f = path.join(process.cwd(), `presets/hardware/${id}.json`);
  const hw = parseHardwarePresetFile(readFileSync(f, 'utf8'), f);
  if (!hw.ok) throw new Error(hw.error.message);
  return hw.value;
}
