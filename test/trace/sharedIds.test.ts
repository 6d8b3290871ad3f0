/**
 * Traces in shared memory (engine/core/trace/sharedIds.ts): a run is lent a trace that is a whole
 * SharedArrayBuffer instead of copying it (createSimBuffers), TraceLibrary keeps each loaded trace in
 * one, and a run over a lent trace is the run over a copy.
 *
 * Negative control (run by hand): with sharedBufferOf copying every trace as before, the first test
 * fails (the run's buffer is not the trace's); with isWholeShared not comparing the view's length with
 * its buffer's, the subarray case fails (the run would read the parent buffer from its start); the
 * page-count cache's control is in its test.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSimBuffers } from '../../engine/core/sim/simLayout.ts';
import { checkRunnable, runInProcess } from '../../engine/core/sim/run.ts';
import { inSharedMemory, isWholeShared, sharedBufferOf } from '../../engine/core/trace/sharedIds.ts';
import { TraceLibrary } from '../../engine/core/trace/index.ts';
import { scenario } from '../config/fixtures.ts';
import { cloudPhysicsTrace, oracleScenario } from '../sim/fixtures.ts';
import { traceDir } from './traceFiles.ts';

const ids = (n: number): Uint32Array => Uint32Array.from({ length: n }, (_, i) => (i * 7) % 13);

describe('traces in shared memory', () => {
  it("a run's buffers lend a whole shared trace and copy any other (sharedBufferOf, createSimBuffers)", () => {
    const shared = inSharedMemory(ids(100));
    expect(isWholeShared(shared)).toBe(true);
    const plain = ids(100);
    const part = new Uint32Array(new SharedArrayBuffer(400 * 4), 40 * 4, 100);
    part.set(ids(100));
    // run.ts converts each guest's trace with sharedBufferOf before createSimBuffers.
    const b = createSimBuffers([64, 64, 64], [shared, plain, part].map(sharedBufferOf), new SharedArrayBuffer(8), 1);
    expect(b.traces[0]).toBe(shared.buffer); // lent: no copy
    expect(b.traces[1]).not.toBe(plain.buffer);
    expect(b.traces[2]).not.toBe(part.buffer); // a view into a larger buffer: copied
    for (const s of b.traces) expect(new Uint32Array(s as SharedArrayBuffer)).toEqual(ids(100));
  });

  it('TraceLibrary keeps a loaded trace in shared memory once, for every run of it', () => {
    const lib = new TraceLibrary();
    const r = lib.load(
      new Uint8Array(readFileSync(path.join(traceDir, 'cloudPhysicsIO.txt'))),
      '/x/cloudPhysicsIO.txt',
    );
    expect(r.ok).toBe(true);
    const c = scenario('trace-oracle');
    const a = lib.pageIdsFor(c).cloudPhysicsIO;
    expect(isWholeShared(a)).toBe(true);
    expect(lib.pageIdsFor(c).cloudPhysicsIO.buffer).toBe(a.buffer);
    expect(a).toEqual(cloudPhysicsTrace());
  });

  it('a lent trace is scanned for its page count once (checkRunnable), a plain one at every run', () => {
    // Seen by breaking the contract on purpose: after a first check, an id past the guest's pages is
    // written into the trace. A plain trace is scanned again and refused; a lent one keeps the count of
    // its first scan. Control: without the cache (sharedTracePages in run.ts) the lent trace is refused too.
    const config = oracleScenario({ policy: 'clock', capacity: 500 });
    const pages = config.guests[0].memoryMiB * 256;
    const plain = cloudPhysicsTrace().slice(0, 1000);
    const shared = inSharedMemory(plain.slice());
    checkRunnable(config, { cloudPhysicsIO: plain });
    checkRunnable(config, { cloudPhysicsIO: shared });
    plain[0] = pages + 10;
    shared[0] = pages + 10;
    expect(() => checkRunnable(config, { cloudPhysicsIO: plain })).toThrow(/trace|pages/i);
    expect(() => checkRunnable(config, { cloudPhysicsIO: shared })).not.toThrow();
  });

  it('a run over a lent trace equals the run over a copy, and leaves the trace as it was', () => {
    const plain = cloudPhysicsTrace().slice(0, 5000);
    const shared = inSharedMemory(plain);
    expect(shared).not.toBe(plain);
    const config = oracleScenario({ policy: 'clock', capacity: 500 });
    const { wallMs: _a, ...viaCopy } = runInProcess(config, { cloudPhysicsIO: plain });
    const { wallMs: _b, ...viaLoan } = runInProcess(config, { cloudPhysicsIO: shared });
    expect(viaLoan.summary.accesses).toBe(5000);
    expect(viaLoan).toEqual(viaCopy);
    expect(shared).toEqual(plain);
  });
});
