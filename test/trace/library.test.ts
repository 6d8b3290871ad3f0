/** TraceLibrary: the traces a host keeps for LabApi.loadTrace (both editions). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_TRACES, TraceLibrary } from '../../engine/core/trace/index.ts';
import { scenario } from '../config/fixtures.ts';
import { traceDir } from './traceFiles.ts';

const enc = (t: string) => new TextEncoder().encode(t);

describe('TraceLibrary', () => {
  it('loads cloudPhysicsIO.txt under its base name with its request and distinct counts', () => {
    const lib = new TraceLibrary();
    const r = lib.load(
      new Uint8Array(readFileSync(path.join(traceDir, 'cloudPhysicsIO.txt'))),
      '/x/cloudPhysicsIO.txt',
    );
    expect(r).toEqual({ ok: true, value: { name: 'cloudPhysicsIO', requests: 113872, distinct: 48974 } });
    // The trace-oracle scenario replays exactly that name.
    const c = scenario('trace-oracle');
    const v = lib.validateRun(c);
    expect(v.ok).toBe(true);
    expect(Object.keys(lib.pageIdsFor(c))).toEqual(['cloudPhysicsIO']);
    expect(lib.pageIdsFor(c).cloudPhysicsIO).toHaveLength(113872);
  });

  it('errors name the file and the problem, and never throw', () => {
    const lib = new TraceLibrary(64);
    const msg = (bytes: Uint8Array, name: string) => {
      const r = lib.load(bytes, name);
      if (r.ok) throw new Error('expected an error');
      return r.error.message;
    };
    expect(msg(enc('1\n-2\n'), 'dir/neg.txt')).toBe('neg.txt: line 2: object id "-2" is not a non-negative integer');
    expect(msg(enc('a,b\n'), 'h.csv')).toMatch(/^h\.csv: line 1: expected header/);
    expect(msg(enc('1'), 'x.json')).toMatch(/^x\.json: unknown trace encoding/);
    expect(msg(enc('1'), '.txt')).toBe('.txt: the file name gives no trace name');
    expect(msg(new Uint8Array(65), 'big.txt')).toBe('big.txt: trace file too large (65 bytes, the limit is 64)');
    expect(lib.loaded).toEqual([]);
  });

  it('a trace workload whose trace is not loaded is a clear validation error; one too big for its guest too', () => {
    const lib = new TraceLibrary();
    const c = scenario('trace-oracle');
    const r = lib.validateRun(c);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.message).toBe(
        "invalid scenario:\nguests[0] 'replay'.workload.trace: replays trace 'cloudPhysicsIO', which is not loaded: " +
          'load cloudPhysicsIO.txt (from github.com/1a1a11a/libCacheSim, folder data/; or ../shared/data/traces) ' +
          "with “Load trace…” in the guest's workload (loaded: none)",
      );
    lib.load(enc('1\n2\n3\n'), 'cloudPhysicsIO.txt');
    c.guests[0].memoryMiB = 1 / 256; // one page
    const small = lib.validateRun(c);
    expect(small.ok).toBe(false);
    if (!small.ok) expect(small.error.message).toMatch(/touches 3 pages, more than the guest's 1/);
  });

  it('loading a name again replaces it; at most MAX_TRACES are kept, oldest out first', () => {
    const lib = new TraceLibrary();
    lib.load(enc('1\n'), 'a.txt');
    lib.load(enc('1\n2\n'), 'other/a.txt');
    expect(lib.loaded).toEqual([{ name: 'a', requests: 2, distinct: 2 }]);
    for (let i = 0; i < MAX_TRACES; i++) lib.load(enc(`${i}\n`), `t${i}.txt`);
    expect(lib.loaded).toHaveLength(MAX_TRACES);
    expect(lib.loaded.map((t) => t.name)).not.toContain('a');
    expect(lib.info()[`t${MAX_TRACES - 1}`]).toEqual({ distinct: 1 });
  });
});
