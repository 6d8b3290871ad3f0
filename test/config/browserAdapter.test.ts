/** The browser adapter (Vite import.meta.glob) loads the same presets as the Node adapter. */
import { describe, expect, it } from 'vitest';
import { loadBundledPresets } from '../../presets/browser.ts';
import { loaded } from './fixtures.ts';

describe('presets/browser.ts', () => {
  it('loads every preset through import.meta.glob with no problems', () => {
    const b = loadBundledPresets();
    expect(b.problems).toEqual([]);
    expect([...b.set.hardware.keys()].sort()).toEqual([...loaded.set.hardware.keys()].sort());
    expect([...b.set.workloads.keys()].sort()).toEqual([...loaded.set.workloads.keys()].sort());
    expect([...b.set.scenarios.keys()].sort()).toEqual([...loaded.set.scenarios.keys()].sort());
    expect(b.set.hardware.get('pkvm')).toEqual(loaded.set.hardware.get('pkvm'));
  });
});
