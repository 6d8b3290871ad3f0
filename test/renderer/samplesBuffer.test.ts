import { describe, expect, it } from 'vitest';
import { appendSamples, createSamplesBuffer, samplesView } from '../../renderer/src/lib/samplesBuffer.ts';
import { columns } from './fixtures.ts';

describe('samples buffer', () => {
  it('appends chunks in order and grows past its capacity', () => {
    const buf = createSamplesBuffer(2);
    const all = columns(7);
    const chunk = (from: number, to: number) => {
      const c = {} as typeof all;
      for (const k of Object.keys(all) as (keyof typeof all)[]) c[k] = all[k].slice(from, to);
      return c;
    };
    appendSamples(buf, 0, chunk(0, 3));
    appendSamples(buf, 3, chunk(3, 7));
    expect(buf.rows).toBe(7);
    expect(Array.from(samplesView(buf).tMs)).toEqual(Array.from(all.tMs));
    expect(Array.from(samplesView(buf).hitRate)).toEqual(Array.from(all.hitRate));
  });

  it('a repeated chunk overwrites rows instead of duplicating them', () => {
    const buf = createSamplesBuffer();
    appendSamples(buf, 0, columns(3));
    appendSamples(buf, 0, columns(3));
    expect(buf.rows).toBe(3);
  });

  it('views are zero-copy subarrays of the filled rows', () => {
    const buf = createSamplesBuffer(8);
    appendSamples(buf, 0, columns(2));
    const v = samplesView(buf);
    expect(v.tMs.length).toBe(2);
    expect(v.tMs.buffer).toBe(buf.columns.tMs.buffer);
  });
});
