/**
 * ScenarioConfig validation: structure of every section, then the relations between them
 * (semantics.ts) for the sections that are structurally valid, so one call lists every problem.
 * validateScenarioStructure checks the structure only (keys, types, each field's range): for a
 * config still being edited (a session's draft), which may break any relation between fields.
 */
import type { Result, ScenarioConfig } from '../../protocol.ts';
import { guestPath, openObject } from './fields.ts';
import { readHardwareProfile } from './hardware.ts';
import { MAX_GUESTS } from './limits.ts';
import { Problems, describeValue, toResult } from './problems.ts';
import { readGuest, readHost, readReclaim, readRun } from './sections.ts';
import {
  checkGuests,
  checkClientWarmup,
  checkHarvest,
  checkMemory,
  checkProtectedNeedsPkvm,
  type TraceInfo,
} from './semantics.ts';

export const SCENARIO_KEYS = ['name', 'description', 'hardware', 'host', 'guests', 'reclaim', 'run'] as const;

export interface ValidateOptions {
  /** Traces the host can load (name -> distinct pages): trace workloads are then checked against them. */
  traces?: TraceInfo;
  /** Where the config sits in a larger value (e.g. 'runs[0].config'): the prefix of every problem's path. */
  path?: string;
}

export function validateScenario(x: unknown, options: ValidateOptions = {}): Result<ScenarioConfig> {
  const problems = new Problems();
  return toResult(readScenario(problems, x, options.path ?? '', options), problems, 'scenario');
}

/** Keys, types and each field's range only; `path` as in ValidateOptions. */
export function validateScenarioStructure(x: unknown, path = ''): Result<ScenarioConfig> {
  const problems = new Problems(true);
  return toResult(readScenario(problems, x, path), problems, 'scenario');
}

export function readScenario(
  problems: Problems,
  x: unknown,
  path: string,
  options: ValidateOptions = {},
): ScenarioConfig | undefined {
  const start = problems.count;
  const f = openObject(problems, x, path, SCENARIO_KEYS);
  if (!f) return undefined;
  const name = f.str('name', { nonEmpty: true, maxLength: 200 });
  const description = f.str('description', { maxLength: 4000 });
  const section = <T>(key: string, read: (p: Problems, v: unknown, at: string) => T | undefined): T | undefined => {
    const mark = problems.count;
    const raw = f.raw(key);
    if (raw === undefined) return undefined;
    const value = read(problems, raw, f.at(key));
    return problems.since(mark) === 0 ? value : undefined;
  };
  const hardware = section('hardware', readHardwareProfile);
  const host = section('host', readHost);
  const reclaim = section('reclaim', readReclaim);
  const run = section('run', readRun);
  const guests = section('guests', readGuests);

  if (hardware && reclaim) checkHarvest(problems, path, hardware, reclaim);
  if (hardware && guests) checkProtectedNeedsPkvm(problems, path, hardware, guests);
  if (host && guests) checkMemory(problems, path, host, guests);
  if (guests) checkGuests(problems, path, guests, options.traces);
  if (guests && run) checkClientWarmup(problems, path, guests, run.durationMs);

  if (problems.since(start) > 0 || !hardware || !host || !reclaim || !run || !guests) return undefined;
  return { name, description, hardware, host, guests, reclaim, run };
}

function readGuests(problems: Problems, x: unknown, path: string): ScenarioConfig['guests'] | undefined {
  if (!Array.isArray(x)) {
    problems.add(path, `expected an array of guests, got ${describeValue(x)}`);
    return undefined;
  }
  if (x.length === 0 || x.length > MAX_GUESTS) {
    problems.add(path, `must hold 1 to ${MAX_GUESTS} guests, got ${x.length}`);
    return undefined;
  }
  // Indexed reads into a fresh array: never x.map, whose species lookup runs an untrusted `constructor`.
  const guests = Array.from({ length: x.length }, (_, i) =>
    readGuest(problems, x[i] as unknown, guestPath(path, i, x[i] as unknown)),
  );
  return guests.every((g) => g !== undefined) ? guests : undefined;
}
