/**
 * Config-path overrides (engine/core/config/overrides.ts) and run labels (diff.ts): every path form
 * addresses the field it names, bad paths and values get one clear message, and the label names
 * exactly what differs from the base.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeOverrides, overrideLabel } from '../../engine/core/config/diff.ts';
import { applyOverrides, parseAssignment, setPaths } from '../../engine/core/config/overrides.ts';
import { resolveScenario } from '../../engine/core/config/index.ts';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { repoRoot } from '../trace/traceFiles.ts';

const { set } = loadPresetDir(path.join(repoRoot, 'presets'));
const seedDebate = { kind: 'preset', id: 'seed-debate' } as const;

function ok(overrides: { path: string; value: unknown }[]): ScenarioConfig {
  const r = applyOverrides(set, seedDebate, overrides);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function err(overrides: { path: string; value: unknown }[]): string {
  const r = applyOverrides(set, seedDebate, overrides);
  expect(r.ok).toBe(false);
  return r.ok ? '' : r.error.message;
}

describe('config-path overrides', () => {
  const base = resolveScenario(set, 'seed-debate');
  if (!base.ok) throw new Error(base.error.message);
  const guestNames = base.value.guests.map((g) => g.name);

  it('sets host, guest (by name, index, [index], *), reclaim and run fields, coercing CLI strings', () => {
    const g0 = guestNames[0];
    const c = ok([
      { path: 'host.memoryMiB', value: '768' },
      { path: `guests.${g0}.vcpus`, value: '3' },
      { path: 'guests[1].memoryMiB', value: 400 },
      { path: 'reclaim.harvest', value: 'none' },
      { path: 'reclaim.lookaround', value: 'false' },
      { path: 'run.durationMs', value: '50' },
    ]);
    expect(c.host.memoryMiB).toBe(768);
    expect(c.guests[0].vcpus).toBe(3);
    expect(c.guests[1].memoryMiB).toBe(400);
    expect(c.reclaim.harvest).toBe('none');
    expect(c.reclaim.lookaround).toBe(false);
    expect(c.run.durationMs).toBe(50);
    const all = ok([{ path: 'guests.*.vcpus', value: 2 }]);
    expect(all.guests.every((g) => g.vcpus === 2)).toBe(true);
    // The base is untouched (overrides work on a copy).
    expect(base.value.host.memoryMiB).not.toBe(768);
  });

  it('hardware=<profile> re-resolves the preset on that profile (protection and default harvest follow)', () => {
    const c = ok([{ path: 'hardware', value: 'pkvm' }]);
    expect(c.hardware.id).toBe('pkvm');
    expect(c.reclaim.harvest).toBe(c.hardware.defaultHarvest);
    expect(err([{ path: 'hardware', value: 'pkvn' }])).toMatch(/unknown hardware profile "pkvn"/);
  });

  it('reclaim.harvest=default means the profile default', () => {
    const c = ok([
      { path: 'reclaim.harvest', value: 'none' },
      { path: 'reclaim.harvest', value: 'default' },
    ]);
    expect(c.reclaim.harvest).toBe(c.hardware.defaultHarvest);
    // A bad value's message lists 'default' too, with the hint (s15-k; it listed the five modes only).
    // Control: without the reclaim.harvest check in setPaths the full-config validator's message fails this.
    expect(err([{ path: 'reclaim.harvest', value: 'defualt' }])).toMatch(
      /reclaim\.harvest: expected one of 'lockless', 'locked-write', 'locked-read', 'hypercall', 'none', 'default', got string "defualt" \(did you mean 'default'\?\)/,
    );
  });

  it('refuses unknown paths with the closest key', () => {
    expect(err([{ path: 'host.memoryMb', value: 1 }])).toBe(
      "unknown config path 'host.memoryMb' (did you mean host.memoryMiB?)",
    );
    expect(err([{ path: `guests.${guestNames[0]}x.vcpus`, value: 1 }])).toMatch(
      new RegExp(`no guest '${guestNames[0]}x' in guests \\(did you mean guests.${guestNames[0]}\\?\\)`),
    );
    expect(err([{ path: 'reclaim.policy.x', value: 1 }])).toMatch(/reclaim.policy is a value, not a section/);
    expect(err([{ path: 'bogus', value: 1 }])).toMatch(/unknown config path 'bogus'/);
  });

  it('refuses bad values with the validator’s own message', () => {
    expect(err([{ path: 'host.memoryMiB', value: 'lots' }])).toBe("host.memoryMiB: expected a number, got 'lots'");
    expect(err([{ path: 'guests.0.vcpus', value: '0' }])).toMatch(/guests\[0\] 'web'\.vcpus: must be an integer >= 1/);
    expect(err([{ path: 'reclaim.harvest', value: 'fast' }])).toMatch(/reclaim\.harvest: expected one of/);
    expect(err([{ path: 'reclaim.lookaround', value: 'yes' }])).toMatch(/expected true or false, got 'yes'/);
  });

  it('parses path=value', () => {
    expect(parseAssignment('host.memoryMiB=768')).toEqual({
      ok: true,
      value: { path: 'host.memoryMiB', value: '768' },
    });
    expect(parseAssignment('host.memoryMiB').ok).toBe(false);
    expect(parseAssignment('=3').ok).toBe(false);
  });
});

describe('describeOverrides (run labels)', () => {
  const base = resolveScenario(set, 'trace-oracle');
  if (!base.ok) throw new Error(base.error.message);

  it('names exactly what differs: host 768 MiB · 6 vCPU', () => {
    const r = setPaths(base.value, [
      { path: 'host.memoryMiB', value: 768 },
      { path: 'guests.*.vcpus', value: 6 },
    ]);
    if (!r.ok) throw new Error(r.error.message);
    expect(describeOverrides(base.value, r.value)).toBe('host 768 MiB · 6 vCPU');
    expect(describeOverrides(base.value, base.value)).toBe('');
  });

  it('names the policy, the harvest mode, a seed and a profile', () => {
    const r = setPaths(base.value, [
      { path: 'reclaim.policy', value: 'clock' },
      { path: 'reclaim.harvest', value: 'none' },
      { path: 'run.seed', value: 7 },
    ]);
    if (!r.ok) throw new Error(r.error.message);
    expect(describeOverrides(base.value, r.value)).toBe('clock · harvest none · seed 7');
    const pkvm = applyOverrides(set, { kind: 'preset', id: 'trace-oracle' }, [{ path: 'hardware', value: 'pkvm' }]);
    if (pkvm.ok) expect(describeOverrides(base.value, pkvm.value)).toMatch(/^pkvm/);
  });

  it('labels guests by name when there are several', () => {
    const sd = resolveScenario(set, 'seed-debate');
    if (!sd.ok) throw new Error(sd.error.message);
    const name = sd.value.guests[1].name;
    const r = setPaths(sd.value, [{ path: `guests.${name}.vcpus`, value: 5 }]);
    if (!r.ok) throw new Error(r.error.message);
    expect(describeOverrides(sd.value, r.value)).toBe(`${name} 5 vCPU`);
    expect(overrideLabel(`guests.${name}.vcpus`, 5, sd.value)).toBe(`${name} 5 vCPU`);
    expect(overrideLabel('guests[1].vcpus', 5, sd.value)).toBe(`${name} 5 vCPU`);
    expect(overrideLabel('host.memoryMiB', 3.90625, sd.value)).toBe('host 3.90625 MiB');
  });
});
