/**
 * The pure preset loader: a map fileName -> file content (parsed JSON, or text) becomes a PresetSet.
 * Node reads presets/ with fs, the browser uses Vite's import.meta.glob; both hand this a map
 * (presets/node.ts, presets/browser.ts). File names are paths relative to presets/, e.g.
 * 'hardware/ampere-altra.json' ('./' prefixes are stripped).
 *
 * Contract: a broken file never hides the good ones: `problems` lists every problem (each naming its
 * file) and the set holds every file that validated. Checks beyond each file: the folder matches the
 * kind (hardware/, workloads/, scenarios/), the file name is `<id>.json`, ids are unique per kind,
 * scenario references resolve, and every scenario validates on every profile it lists.
 */
import type { HardwareProfile } from '../../protocol.ts';
import {
  parsePresetFile,
  validatePresetFile,
  type PresetFile,
  type PresetKind,
  type WorkloadPreset,
} from './presetFile.ts';
import { guestPath } from './fields.ts';
import { knownIds } from './suggest.ts';
import { resolveScenario } from './resolve.ts';
import type { ScenarioPreset } from './scenarioPreset.ts';
import type { TraceInfo } from './semantics.ts';

export interface PresetSet {
  hardware: Map<string, HardwareProfile>;
  workloads: Map<string, WorkloadPreset>;
  scenarios: Map<string, ScenarioPreset>;
}

export interface LoadedPresets {
  set: PresetSet;
  /** One line per problem, each starting with the file name. */
  problems: string[];
}

const FOLDERS: Record<PresetKind, string> = { hardware: 'hardware', workload: 'workloads', scenario: 'scenarios' };

export function emptyPresetSet(): PresetSet {
  return { hardware: new Map(), workloads: new Map(), scenarios: new Map() };
}

/** `files`: fileName -> JSON text (string) or already-parsed JSON value. */
export function loadPresets(files: Record<string, unknown>, options: { traces?: TraceInfo } = {}): LoadedPresets {
  const set = emptyPresetSet();
  const problems: string[] = [];
  for (const rawName of Object.keys(files).sort()) {
    const fileName = rawName.replace(/^\.\//, '');
    const content = files[rawName];
    const r = typeof content === 'string' ? parsePresetFile(content, fileName) : validatePresetFile(content, fileName);
    if (!r.ok) {
      problems.push(r.error.message.replace(/\n/g, `\n  `));
      continue;
    }
    const fileProblem = placementProblem(r.value);
    if (fileProblem) {
      problems.push(`${fileName}: ${fileProblem}`);
      continue;
    }
    addToSet(set, r.value, problems);
  }
  for (const [id, s] of set.scenarios) {
    const file = `scenarios/${id}.json`;
    for (const ref of new Set([s.hardware, ...s.profiles]))
      if (!set.hardware.has(ref))
        problems.push(`${file}: unknown hardware profile '${ref}' ${knownIds(ref, set.hardware.keys())}`);
    s.guests.forEach((g, i) => {
      if (typeof g.workload === 'string' && !set.workloads.has(g.workload))
        problems.push(
          `${file}: ${guestPath('guests', i, g)}.workload: unknown workload preset '${g.workload}' (known: ${[...set.workloads.keys()].join(', ')})`,
        );
    });
  }
  // Every scenario must validate on every profile it lists ("every preset runs"): report each failure.
  if (problems.length === 0) {
    for (const [id, s] of set.scenarios) {
      for (const hw of s.profiles) {
        const r = resolveScenario(set, id, { hardware: hw }, options);
        if (!r.ok) problems.push(`scenarios/${id}.json on '${hw}': ${r.error.message.replace(/\n/g, '\n  ')}`);
      }
    }
  }
  return { set, problems };
}

function placementProblem(file: PresetFile): string | undefined {
  const id = presetId(file);
  const expected = `${FOLDERS[file.kind]}/${id}.json`;
  const base = file.fileName.split('/').slice(-2).join('/');
  return base === expected ? undefined : `a ${file.kind} preset with id '${id}' must be stored as ${expected}`;
}

export function presetId(file: PresetFile): string {
  switch (file.kind) {
    case 'hardware':
      return file.hardware.id;
    case 'workload':
      return file.workload.id;
    case 'scenario':
      return file.scenario.id;
    default: {
      const never: never = file;
      throw new Error(`unexpected preset ${JSON.stringify(never)}`);
    }
  }
}

function addToSet(set: PresetSet, file: PresetFile, problems: string[]): void {
  const id = presetId(file);
  const duplicate = (): void => {
    problems.push(`${file.fileName}: duplicate ${file.kind} id '${id}'`);
  };
  switch (file.kind) {
    case 'hardware':
      if (set.hardware.has(id)) return duplicate();
      set.hardware.set(id, file.hardware);
      return;
    case 'workload':
      if (set.workloads.has(id)) return duplicate();
      set.workloads.set(id, file.workload);
      return;
    case 'scenario':
      if (set.scenarios.has(id)) return duplicate();
      set.scenarios.set(id, file.scenario);
      return;
    default: {
      const never: never = file;
      throw new Error(`unexpected preset ${JSON.stringify(never)}`);
    }
  }
}
