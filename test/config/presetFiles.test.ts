/** Preset files: format header, per-kind keys, file placement, references, clear messages naming the file. */
import { describe, expect, it } from 'vitest';
import {
  loadPresets,
  parseHardwarePresetFile,
  parsePresetFile,
  resolveScenario,
} from '../../engine/core/config/index.ts';
import { defaultPresetDir, readPresetTexts } from '../../presets/node.ts';
import { HARVEST_MODES } from '../../engine/protocol.ts';

const texts = readPresetTexts(defaultPresetDir);
const json = (name: string): Record<string, unknown> => JSON.parse(texts[name]) as Record<string, unknown>;

function messageOf(r: { ok: boolean; error?: { message: string } }): string {
  expect(r.ok).toBe(false);
  return r.error!.message;
}

describe('parsePresetFile', () => {
  it('parses each kind', () => {
    for (const name of Object.keys(texts)) expect(parsePresetFile(texts[name], name).ok, name).toBe(true);
  });

  it('rejects non-JSON, foreign and newer files with a message naming the file', () => {
    expect(messageOf(parsePresetFile('{', 'x.json'))).toMatch(/^invalid preset x\.json: not JSON/);
    expect(messageOf(parsePresetFile('{"a":1}', 'x.json'))).toMatch(
      /invalid preset x\.json:\nformat: expected 'overcommit-lab-preset', got nothing/,
    );
    expect(messageOf(parsePresetFile(JSON.stringify({ ...json('hardware/pkvm.json'), version: 2 }), 'p.json'))).toMatch(
      /version: 2 is newer than this build supports \(1\)/,
    );
    expect(messageOf(parsePresetFile(JSON.stringify({ ...json('hardware/pkvm.json'), kind: 'hw' }), 'p.json'))).toMatch(
      /kind: expected one of 'hardware', 'workload', 'scenario'/,
    );
  });

  it('hardware file: unknown keys named with suggestions, missing sources caught', () => {
    const hw = json('hardware/ampere-altra.json') as Record<string, unknown> & {
      costs: Record<string, Record<string, unknown>>;
    };
    hw.costs.walkLevl = hw.costs.walkLevel;
    delete hw.costs.walkLevel;
    delete hw.costs.afFault.source;
    hw.hafbds = true;
    const msg = messageOf(parseHardwarePresetFile(JSON.stringify(hw), 'my-board.json'));
    expect(msg.split('\n')).toEqual([
      'invalid preset my-board.json (4 problems):',
      'hafbds: unknown key (did you mean hafdbs?)',
      'costs.walkLevl: unknown key (did you mean walkLevel?)',
      'costs.walkLevel: missing',
      'costs.afFault.source: missing',
    ]);
  });

  it('parseHardwarePresetFile refuses other kinds', () => {
    expect(messageOf(parseHardwarePresetFile(texts['workloads/uniform.json'], 'u.json'))).toMatch(
      /kind is 'workload', expected 'hardware'/,
    );
  });

  it('scenario file: protected must be a boolean or "when-pkvm"; harvest may be "default"', () => {
    const s = json('scenarios/seed-debate.json') as {
      guests: Record<string, unknown>[];
      reclaim: Record<string, unknown>;
    };
    s.guests[0].protected = 'sometimes';
    s.reclaim.harvest = 'defualt';
    const msg = messageOf(parsePresetFile(JSON.stringify(s), 'scenarios/seed-debate.json'));
    expect(msg).toMatch(/guests\[0\] 'web'\.protected: expected true, false or "when-pkvm", got string "sometimes"/);
    expect(msg).toMatch(/reclaim\.harvest: expected one of 'lockless'/);
    // Every value the check accepts is listed, 'default' included (s15-k; it was left out), with a hint.
    const listed = /reclaim\.harvest: expected one of ([^,]+(?:, '[^']+')*), got/.exec(msg)?.[1] ?? '';
    expect(listed.split(', ').map((v) => v.replace(/'/g, ''))).toEqual([...HARVEST_MODES, 'default']);
    expect(msg).toMatch(/reclaim\.harvest: .*got string "defualt" \(did you mean 'default'\?\)/);
  });
});

describe('scenario file: memoryBacking', () => {
  it('is checked in a preset file, and resolve carries it into the config (absent stays absent)', () => {
    const s = json('scenarios/seed-debate.json') as { guests: Record<string, unknown>[] };
    s.guests[0].memoryBacking = 'anon';
    expect(messageOf(parsePresetFile(JSON.stringify(s), 'scenarios/seed-debate.json'))).toMatch(
      /guests\[0\] 'web'\.memoryBacking: expected one of 'shmem-memfd', 'private-anon'/,
    );
    s.guests[0].memoryBacking = 'private-anon';
    const p = parsePresetFile(JSON.stringify(s), 'scenarios/seed-debate.json');
    expect(p.ok).toBe(true);
    const { set } = loadPresets({ ...texts, 'scenarios/seed-debate.json': JSON.stringify(s) });
    const r = resolveScenario(set, 'seed-debate', {});
    expect(r.ok && r.value.guests.map((g) => g.memoryBacking)).toEqual(
      s.guests.map((_, i) => (i === 0 ? 'private-anon' : undefined)),
    );
    const memcached = resolveScenario(loadPresets(texts).set, 'repro-memcached-arm64', {});
    expect(memcached.ok && memcached.value.guests[0].memoryBacking).toBe('private-anon');
  });
});

describe('loadPresets', () => {
  it('keeps good files when one is broken, and names the broken one', () => {
    const broken = {
      ...texts,
      'workloads/uniform.json': texts['workloads/uniform.json'].replace('"pages"', '"pagez"'),
    };
    const { set, problems } = loadPresets(broken);
    expect(set.hardware.size).toBe(4);
    expect(problems[0]).toMatch(
      /^invalid preset workloads\/uniform\.json \(2 problems\):\n {2}workload\.pagez: unknown key \(did you mean pages\?\)/,
    );
    expect(problems.join('\n')).toMatch(
      /scenarios\/seed-debate\.json: guests\[3\] 'vault'\.workload: unknown workload preset 'uniform'/,
    );
  });

  it('checks folder and file name against kind and id', () => {
    const { problems } = loadPresets({ 'workloads/pkvm.json': texts['hardware/pkvm.json'] });
    expect(problems).toEqual([
      "workloads/pkvm.json: a hardware preset with id 'pkvm' must be stored as hardware/pkvm.json",
    ]);
  });

  it('reports unknown hardware references and scenarios invalid on a listed profile', () => {
    const s = json('scenarios/seed-debate.json') as Record<string, unknown> & {
      host: { swap: Record<string, unknown> };
    };
    s.profiles = ['ampere-altra', 'phone-prev82', 'pkvm', 'x-board'];
    let r = loadPresets({ ...texts, 'scenarios/seed-debate.json': JSON.stringify(s) });
    expect(r.problems).toEqual([
      `scenarios/seed-debate.json: unknown hardware profile 'x-board' (known: ampere-altra, phone-prev82, pkvm, x86-workstation)`,
    ]);
    s.profiles = ['ampere-altra', 'phone-prev82', 'pkvm'];
    s.host.swap.sizeMiB = 10;
    r = loadPresets({ ...texts, 'scenarios/seed-debate.json': JSON.stringify(s) });
    expect(r.problems).toHaveLength(3);
    expect(r.problems[0]).toMatch(
      /^scenarios\/seed-debate\.json on 'ampere-altra': scenario 'seed-debate' on 'ampere-altra': invalid scenario:\n {2}host\.swap\.sizeMiB: 10 MiB is too small/,
    );
  });

  it('accepts parsed JSON values with ./ prefixes (the Vite glob shape)', () => {
    const parsed = Object.fromEntries(Object.entries(texts).map(([k, v]) => [`./${k}`, JSON.parse(v) as unknown]));
    const { set, problems } = loadPresets(parsed);
    expect(problems).toEqual([]);
    expect(set.scenarios.has('seed-debate')).toBe(true);
  });
});

describe('resolveScenario overrides', () => {
  const { set } = loadPresets(texts);
  it('applies run overrides and keeps >= 10 samples for a shorter run', () => {
    const r = resolveScenario(set, 'seed-debate', { durationMs: 100, seed: 7, deterministic: true, workers: 1 });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.run).toMatchObject({
      durationMs: 100,
      sampleIntervalMs: 10,
      seed: 7,
      deterministic: true,
      workers: 1,
    });
  });

  it('an impossible override is a clear error', () => {
    const r = resolveScenario(set, 'seed-debate', { hardware: 'pkvm', harvest: 'lockless' });
    expect(messageOf(r)).toMatch(
      /^scenario 'seed-debate' on 'pkvm': invalid scenario:\nreclaim\.harvest: 'lockless' is impossible/,
    );
    expect(messageOf(resolveScenario(set, 'nope'))).toBe(
      "unknown scenario 'nope' (known: repro-max-guest-memory-v2, repro-max-guest-memory, repro-memcached-arm64, reviewer-whatif, seed-debate, trace-oracle)",
    );
    expect(messageOf(resolveScenario(set, 'seed-debate', { hardware: 'x' }))).toMatch(/unknown hardware profile 'x'/);
  });

  it('copies values: editing the result does not touch the preset set', () => {
    const a = resolveScenario(set, 'seed-debate');
    if (!a.ok) throw new Error(a.error.message);
    a.value.hardware.costs.memAccess.ns = 1;
    a.value.guests[0].workload.thinkNs = 1;
    const b = resolveScenario(set, 'seed-debate');
    expect(b.ok && b.value.hardware.costs.memAccess.ns).toBe(100);
    expect(b.ok && b.value.guests[0].workload.thinkNs).toBe(1000);
  });
});
