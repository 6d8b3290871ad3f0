import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrace, traceEncoding, traceName, type TraceData } from '../../engine/core/trace/index.ts';
import { fifoMisses, lruMisses } from './referenceCache.ts';
import { CLOUD_FILES, traceDir } from './traceFiles.ts';

const parsed = new Map<string, TraceData>();
function load(file: string): TraceData {
  let t = parsed.get(file);
  if (!t) {
    t = parseTrace(file, new Uint8Array(readFileSync(path.join(traceDir, file))));
    parsed.set(file, t);
  }
  return t;
}

describe('cloudPhysicsIO in three encodings', () => {
  it.each(CLOUD_FILES)('%s: 113872 requests, 48974 distinct, dense ids in first-appearance order', (file) => {
    const t = load(file);
    expect(t.name).toBe('cloudPhysicsIO');
    expect(t.requests).toBe(113872);
    expect(t.pageIds.length).toBe(113872);
    expect(t.distinct).toBe(48974);
    // Dense and first-appearance ordered: each new id is exactly the next one.
    let next = 0;
    let outOfOrder = 0;
    for (const id of t.pageIds) {
      if (id > next) outOfOrder++;
      if (id === next) next++;
    }
    expect(outOfOrder).toBe(0);
    expect(next).toBe(48974);
  });

  it('all three encodings give the identical page-id sequence', () => {
    const [bin, csv, txt] = CLOUD_FILES.map(load);
    expect(Buffer.from(csv.pageIds.buffer).equals(Buffer.from(bin.pageIds.buffer))).toBe(true);
    expect(Buffer.from(txt.pageIds.buffer).equals(Buffer.from(bin.pageIds.buffer))).toBe(true);
  });

  it.each([
    ['LRU', 1000, 94823],
    ['LRU', 10000, 79438],
    ['LRU', 25000, 70832],
    ['FIFO', 10000, 79210],
    ['LRU', 48974, 48974],
  ] as const)('reference %s with %i pages reproduces the README: %i misses', (policy, capacity, misses) => {
    const ids = load('cloudPhysicsIO.oracleGeneral.bin').pageIds;
    expect(policy === 'LRU' ? lruMisses(ids, capacity) : fifoMisses(ids, capacity)).toBe(misses);
  });
});

describe('trace file names', () => {
  it('maps names to encodings and trace names', () => {
    expect(traceEncoding('a/b/x.oracleGeneral.bin')).toBe('oracleGeneral');
    expect(traceEncoding('x.CSV')).toBe('csv');
    expect(traceEncoding('x.txt')).toBe('txt');
    expect(traceEncoding('x.json')).toBeUndefined();
    expect(traceName('/t/cloudPhysicsIO.oracleGeneral.bin')).toBe('cloudPhysicsIO');
    expect(traceName('w\\my.csv')).toBe('my');
  });
});
