/**
 * Preset file formats (STYLE.md 9: data as spec). Every preset file is one JSON object
 *   { "format": "overcommit-lab-preset", "version": 1, "kind": "hardware" | "workload" | "scenario", ...}
 * with exactly the keys of its kind:
 *  - hardware: the HardwareProfile's keys (id, name, description, hafdbs, pkvm, defaultHarvest, costs);
 *  - workload: id, name, description, workload (a WorkloadSpec);
 *  - scenario: see scenarioPreset.ts (references a hardware profile and workloads by id).
 * Unknown keys are errors; a newer version is refused with a message saying so.
 */
import type { HardwareProfile, Result, WorkloadSpec } from '../../protocol.ts';
import { isPlainObject, openObject } from './fields.ts';
import { HARDWARE_KEYS, readHardwareFields } from './hardware.ts';
import { ID_PATTERN, ID_TEXT } from './limits.ts';
import { Problems, describeValue, displayKey, escapeControls, toResult } from './problems.ts';
import { SCENARIO_PRESET_KEYS, readScenarioPresetFields, type ScenarioPreset } from './scenarioPreset.ts';
import { readWorkloadSpec } from './workload.ts';

export const PRESET_FORMAT = 'overcommit-lab-preset';
export const PRESET_VERSION = 1;
export const PRESET_KINDS = ['hardware', 'workload', 'scenario'] as const;
export type PresetKind = (typeof PRESET_KINDS)[number];

export interface WorkloadPreset {
  id: string;
  name: string;
  description: string;
  workload: WorkloadSpec;
}

export type PresetFile =
  | { kind: 'hardware'; fileName: string; hardware: HardwareProfile }
  | { kind: 'workload'; fileName: string; workload: WorkloadPreset }
  | { kind: 'scenario'; fileName: string; scenario: ScenarioPreset };

const HEADER_KEYS = ['format', 'version', 'kind'] as const;

export function presetKeys(kind: PresetKind): readonly string[] {
  switch (kind) {
    case 'hardware':
      return [...HEADER_KEYS, ...HARDWARE_KEYS];
    case 'workload':
      return [...HEADER_KEYS, 'id', 'name', 'description', 'workload'];
    case 'scenario':
      return [...HEADER_KEYS, ...SCENARIO_PRESET_KEYS];
    default: {
      const never: never = kind;
      throw new Error(`unexpected preset kind ${String(never)}`);
    }
  }
}

/** Parses JSON text and validates it as a preset file; every message names the file. */
export function parsePresetFile(text: string, fileName: string): Result<PresetFile> {
  let value: unknown;
  try {
    // A UTF-8 byte order mark (editors on Windows add one) is accepted, as in .txt and .csv traces.
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    // V8's message quotes the input around the error: keep the reason, cut the quote.
    const reason = escapeControls((e as Error).message.replace(/\s+/g, ' ').slice(0, 120));
    return {
      ok: false,
      error: { name: 'ValidationError', message: `invalid preset ${displayKey(fileName)}: not JSON (${reason})` },
    };
  }
  return validatePresetFile(value, fileName);
}

export function validatePresetFile(x: unknown, fileName: string): Result<PresetFile> {
  const problems = new Problems();
  return toResult(readPresetFile(problems, x, fileName), problems, `preset ${fileName}`);
}

/** A hardware preset file (a user's import): the profile, or every problem in it. */
export function parseHardwarePresetFile(text: string, fileName: string): Result<HardwareProfile> {
  const r = parsePresetFile(text, fileName);
  if (!r.ok) return r;
  if (r.value.kind !== 'hardware')
    return {
      ok: false,
      error: {
        name: 'ValidationError',
        message: `invalid preset ${fileName}: kind is '${r.value.kind}', expected 'hardware'`,
      },
    };
  return { ok: true, value: r.value.hardware };
}

function readPresetFile(problems: Problems, x: unknown, fileName: string): PresetFile | undefined {
  if (!isPlainObject(x)) {
    problems.add('', `expected a JSON object, got ${describeValue(x)}`);
    return undefined;
  }
  if (x.format !== PRESET_FORMAT) {
    problems.add(
      'format',
      `expected '${PRESET_FORMAT}', got ${describeValue(x.format)} (not an Overcommit Lab preset file)`,
    );
    return undefined;
  }
  if (typeof x.version !== 'number' || !Number.isInteger(x.version) || x.version < 1) {
    problems.add('version', `expected a positive integer, got ${describeValue(x.version)}`);
    return undefined;
  }
  if (x.version > PRESET_VERSION) {
    problems.add(
      'version',
      `${x.version} is newer than this build supports (${PRESET_VERSION}); update Overcommit Lab`,
    );
    return undefined;
  }
  const kind = x.kind;
  if (typeof kind !== 'string' || !(PRESET_KINDS as readonly string[]).includes(kind)) {
    problems.add('kind', `expected one of ${PRESET_KINDS.map((k) => `'${k}'`).join(', ')}, got ${describeValue(kind)}`);
    return undefined;
  }
  const f = openObject(problems, x, '', presetKeys(kind as PresetKind));
  if (!f) return undefined;
  const mark = problems.count;
  let file: PresetFile;
  switch (kind as PresetKind) {
    case 'hardware':
      file = { kind: 'hardware', fileName, hardware: readHardwareFields(f) };
      break;
    case 'workload': {
      const id = f.str('id', { pattern: ID_PATTERN, patternText: ID_TEXT });
      const name = f.str('name', { nonEmpty: true, maxLength: 200 });
      const description = f.str('description', { maxLength: 4000 });
      const raw = f.raw('workload');
      const workload = raw === undefined ? undefined : readWorkloadSpec(problems, raw, 'workload');
      if (!workload) return undefined;
      file = { kind: 'workload', fileName, workload: { id, name, description, workload } };
      break;
    }
    case 'scenario':
      file = { kind: 'scenario', fileName, scenario: readScenarioPresetFields(f) };
      break;
  }
  return problems.since(mark) === 0 ? file : undefined;
}
