/**
 * The catalog both hosts list (engine/core/config/catalog.ts): every scenario on its default hardware,
 * plus '<scenario>@<hardware id>' for each other profile it lists, resolved by the engine.
 */
import { describe, expect, it } from 'vitest';
import { buildCatalog, profileVariantId, resolveScenario, scenarioProfiles } from '../../engine/core/config/index.ts';
import { createPresets } from '../../main/presets.ts';
import { browserCatalog } from '../../web/engine.ts';
import { loaded } from './fixtures.ts';

const catalog = buildCatalog(loaded.set);
const entry = (id: string) => catalog.scenarios.find((s) => s.id === id)?.config;

describe('buildCatalog', () => {
  it('lists every scenario on its default hardware, then one variant per other profile', () => {
    const expected = [
      ...loaded.set.scenarios.keys(),
      ...[...loaded.set.scenarios.keys()].flatMap((id) =>
        scenarioProfiles(loaded.set, id)
          .slice(1)
          .map((hw) => profileVariantId(id, hw)),
      ),
    ];
    expect(catalog.scenarios.map((s) => s.id)).toEqual(expected);
    expect(catalog.scenarios.map((s) => s.id)).toEqual(
      expect.arrayContaining(['seed-debate', 'seed-debate@phone-prev82', 'seed-debate@pkvm', 'trace-oracle']),
    );
    expect(catalog.scenarios.some((s) => s.id === 'trace-oracle@ampere-altra')).toBe(false);
  });

  it('each variant is the engine resolution of the scenario on that profile', () => {
    for (const { id, config } of catalog.scenarios) {
      const [scenario, hw] = id.split('@');
      const r = resolveScenario(loaded.set, scenario, hw ? { hardware: hw } : {});
      if (!r.ok) throw new Error(r.error.message);
      expect(config).toEqual(r.value);
      if (hw) expect(config.hardware.id).toBe(hw);
    }
  });

  it("seed-debate: the vault guest is protected only on pKVM; harvest 'default' is the profile's", () => {
    for (const hw of ['ampere-altra', 'phone-prev82', 'pkvm']) {
      const c = hw === 'ampere-altra' ? entry('seed-debate') : entry(`seed-debate@${hw}`);
      expect(c, hw).toBeDefined();
      expect(c!.hardware.id).toBe(hw);
      expect(c!.guests.find((g) => g.name === 'vault')!.protected).toBe(hw === 'pkvm');
      expect(c!.reclaim.harvest).toBe(loaded.set.hardware.get(hw)!.defaultHarvest);
      expect(c!.name).toContain(loaded.set.hardware.get(hw)!.name);
    }
  });

  it('leaves out a variant that does not resolve, never failing the catalog', () => {
    const set = {
      hardware: new Map(loaded.set.hardware),
      workloads: new Map(loaded.set.workloads),
      scenarios: new Map(loaded.set.scenarios),
    };
    const seed = set.scenarios.get('seed-debate')!;
    set.scenarios.set('seed-debate', { ...seed, profiles: [...seed.profiles, 'no-such-profile'] });
    const ids = buildCatalog(set).scenarios.map((s) => s.id);
    expect(ids).toContain('seed-debate@pkvm');
    expect(ids).not.toContain('seed-debate@no-such-profile');
  });

  it('Electron main and the browser edition list the same catalog', async () => {
    const main = await createPresets().catalog();
    expect(main).toEqual(browserCatalog());
    expect(main).toEqual(catalog);
  });
});
