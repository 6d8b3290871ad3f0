/** Every shipped preset loads, validates, and every scenario resolves on every profile it lists. */
import { describe, expect, it } from 'vitest';
import { buildCatalog, resolveScenario, scenarioProfiles, validateScenario } from '../../engine/core/config/index.ts';
import { COST_KEYS } from '../../engine/protocol.ts';
import { readPresetTexts, defaultPresetDir } from '../../presets/node.ts';
import { loaded } from './fixtures.ts';

describe('shipped presets', () => {
  it('load with no problems', () => {
    expect(loaded.problems).toEqual([]);
    expect(Object.keys(readPresetTexts(defaultPresetDir)).length).toBe(
      loaded.set.hardware.size + loaded.set.workloads.size + loaded.set.scenarios.size,
    );
  });

  it('has the four hardware profiles with a sourced figure for every cost', () => {
    expect([...loaded.set.hardware.keys()].sort()).toEqual(['ampere-altra', 'phone-prev82', 'pkvm', 'x86-workstation']);
    for (const hw of loaded.set.hardware.values())
      for (const key of COST_KEYS) expect(hw.costs[key].source.length, `${hw.id}.${key}`).toBeGreaterThan(20);
    const altra = loaded.set.hardware.get('ampere-altra')!;
    const phone = loaded.set.hardware.get('phone-prev82')!;
    const pkvm = loaded.set.hardware.get('pkvm')!;
    expect([altra.hafdbs, altra.pkvm, altra.defaultHarvest]).toEqual([true, false, 'lockless']);
    expect([phone.hafdbs, phone.pkvm, phone.defaultHarvest]).toEqual([false, false, 'locked-write']);
    expect([pkvm.hafdbs, pkvm.pkvm, pkvm.defaultHarvest]).toEqual([true, true, 'hypercall']);
    const x86 = loaded.set.hardware.get('x86-workstation')!;
    expect([x86.hafdbs, x86.pkvm, x86.s2fwb, x86.remoteTlbFlush, x86.defaultHarvest]).toEqual([
      true,
      false,
      true,
      'ipi-kick',
      'lockless',
    ]);
  });

  it('has the workload kinds zipf, uniform, scan, hotset and trace', () => {
    expect(new Set([...loaded.set.workloads.values()].map((w) => w.workload.kind))).toEqual(
      new Set(['zipf', 'uniform', 'scan', 'hotset', 'trace']),
    );
  });

  const pairs = [...loaded.set.scenarios.keys()].flatMap((id) =>
    scenarioProfiles(loaded.set, id).map((hw) => [id, hw] as const),
  );
  it.each(pairs)('scenario %s resolves on %s to a self-contained, valid config', (id, hw) => {
    const r = resolveScenario(loaded.set, id, { hardware: hw }, { traces: { cloudPhysicsIO: { distinct: 48974 } } });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.hardware.id).toBe(hw);
    // Self-contained: a JSON round trip (what a session stores) is still valid and equal.
    const copy: unknown = JSON.parse(JSON.stringify(r.value));
    expect(validateScenario(copy)).toEqual({ ok: true, value: r.value });
  });

  it('seed-debate: 150% overcommit on the three profiles; the vault guest is protected only under pKVM', () => {
    expect(scenarioProfiles(loaded.set, 'seed-debate')).toEqual(['ampere-altra', 'phone-prev82', 'pkvm']);
    for (const hw of ['ampere-altra', 'phone-prev82', 'pkvm']) {
      const r = resolveScenario(loaded.set, 'seed-debate', { hardware: hw });
      if (!r.ok) throw new Error(r.error.message);
      const c = r.value;
      const total = c.guests.reduce((a, g) => a + g.memoryMiB, 0);
      expect(total / c.host.memoryMiB).toBe(1.5);
      expect(c.guests.find((g) => g.name === 'vault')!.protected).toBe(hw === 'pkvm');
      expect(c.reclaim.harvest).toBe(loaded.set.hardware.get(hw)!.defaultHarvest);
      expect(c.run.durationMs).toBeLessThanOrEqual(2000);
    }
  });

  it('trace-oracle: host of exactly 10000 pages, demand eviction, deterministic exact LRU', () => {
    const r = resolveScenario(loaded.set, 'trace-oracle');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.host.memoryMiB * 256).toBe(10000);
    expect(r.value.run).toMatchObject({ demandOnly: true, deterministic: true });
    expect(r.value.reclaim.policy).toBe('exact-lru');
    expect(r.value.guests).toHaveLength(1);
    expect(r.value.guests[0].vcpus).toBe(1);
  });

  it('builds the catalog for the UI', () => {
    const cat = buildCatalog(loaded.set);
    expect(cat.hardware).toHaveLength(4);
    const base = cat.scenarios.filter((s) => !s.id.includes('@'));
    expect(base.map((s) => s.id).sort()).toEqual([...loaded.set.scenarios.keys()].sort());
  });
});
