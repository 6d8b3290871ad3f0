/**
 * The control words' routing table (atomics.ts controlAtomics) beside the arena's (atomics).
 *
 * What it guarantees: under the plain arena operations (plainArenaOps, a one-worker run) the control
 * words stay native, every other replacement (a stress test's withHook) reaches them too, and a
 * one-worker run passes no array but the arena's to `atomics`, so the plain operations' native branch
 * (`a !== i32`) is never taken and TurboFan compiles it to a deoptimization exit (atomics.ts says why
 * that matters: feedback is per function, not per call site).
 *
 * Negative controls, run by hand: SimWorkerCore.stopRequested reading CTL_STOP through `atomics` again
 * fails the third test (control-word loads reach the arena's table); setAtomicOps assigning every
 * replacement to controlAtomics (plainArenaOps included) fails the first.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  atomics,
  controlAtomics,
  nativeAtomicOps,
  plainArenaOps,
  releasePlainArena,
  setAtomicOps,
  withHook,
  type AtomicOps,
} from '../../engine/core/sync/atomics.ts';
import { prepareRun } from '../../engine/core/sim/run.ts';
import { SimWorkerCore } from '../../engine/core/sim/simCore.ts';
import { selectReplay } from '../../engine/core/sim/replaySelect.ts';
import { cloudPhysicsTrace, oracleScenario } from '../sim/fixtures.ts';

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
  releasePlainArena();
});

describe('controlAtomics', () => {
  it('keeps the native operations while the plain arena operations are selected', () => {
    const native = nativeAtomicOps();
    const arena = new Int32Array(new SharedArrayBuffer(64));
    restore = setAtomicOps(plainArenaOps(arena, new BigInt64Array(new SharedArrayBuffer(64))));
    for (const k of Object.keys(native) as (keyof AtomicOps)[]) expect(controlAtomics[k]).toBe(native[k]);
    expect(atomics.load).not.toBe(native.load); // the arena's table did change
    const control = new Int32Array(new SharedArrayBuffer(16));
    controlAtomics.store(control, 1, 7);
    expect(controlAtomics.add(control, 1, 2)).toBe(7);
    expect(controlAtomics.load(control, 1)).toBe(9);
  });

  it('takes every other replacement (a stress hook sees control operations) and its restore', () => {
    const seen: string[] = [];
    const native = nativeAtomicOps();
    restore = setAtomicOps(withHook((op) => seen.push(op)));
    const control = new Int32Array(new SharedArrayBuffer(16));
    controlAtomics.store(control, 0, 1);
    controlAtomics.load(control, 0);
    expect(seen).toEqual(['store', 'load']);
    restore();
    restore = null;
    expect(controlAtomics.load).toBe(native.load);
    expect(atomics.load).toBe(native.load);
  });

  it.each(['exact-lru', 'clock', 'mglru'] as const)(
    'a one-worker %s trace replay passes no array but the arena to `atomics`',
    (policy) => {
      const config = oracleScenario({ policy, capacity: 1000 });
      config.guests[0].workload = { kind: 'trace', trace: 'cloudPhysicsIO', writeFraction: 0, thinkNs: 0 };
      const p = prepareRun(config, { cloudPhysicsIO: cloudPhysicsTrace().subarray(0, 20_000) }, 1);
      const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, { rows: () => {}, progress: () => {} });
      const { i32, stats64 } = core.env.arena;
      // As workerMain selects it for a one-worker run, then every arena-table call recorded.
      restore = setAtomicOps(plainArenaOps(i32, stats64));
      const plain = { ...atomics };
      const others: string[] = [];
      let arenaCalls = 0;
      const recorded = {} as Record<keyof AtomicOps, unknown>;
      for (const k of Object.keys(plain) as (keyof AtomicOps)[]) {
        const fn = plain[k] as (...args: unknown[]) => unknown;
        recorded[k] = (...args: unknown[]) => {
          const a = args[0];
          if (a === i32 || a === stats64 || a instanceof Uint8Array) arenaCalls++;
          else others.push(k);
          return fn(...args);
        };
      }
      Object.assign(atomics, recorded);
      let controlCalls = 0;
      const control = { ...controlAtomics };
      controlAtomics.load = (a, i) => {
        controlCalls++;
        return control.load(a, i);
      };
      try {
        expect(selectReplay(core.actorList, p.config, p.plan)).toBe(true);
        expect(core.loop()).toBe('done');
        core.close();
      } finally {
        Object.assign(controlAtomics, control);
      }
      expect(arenaCalls).toBeGreaterThan(20_000); // the stage-2 work went through the arena's table
      expect(controlCalls).toBeGreaterThan(0); // stop checks and the like went through the control table
      expect(others).toEqual([]);
    },
  );
});
