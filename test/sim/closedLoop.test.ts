/**
 * The closed-loop client (sim/closedLoop.ts, workload.client) and memtier's load pass
 * (workload.loadPass): throughput and latency against hand-computed values and a reference model.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClosedLoop } from '../../engine/core/sim/closedLoop.ts';
import { WorkloadGen } from '../../engine/core/sim/workload.ts';
import { Prng } from '../../engine/core/sim/prng.ts';
import { opBucket, opBucketUpper } from '../../engine/core/sim/opHist.ts';
import { runInProcess } from '../../engine/core/sim/run.ts';
import type { ClientSpec, ScenarioConfig } from '../../engine/protocol.ts';
import { hardware } from './fixtures.ts';
import { repoRoot } from '../trace/traceFiles.ts';

/**
 * A server that serves every request in exactly `serviceNs`, driven by a ClosedLoop for `untilNs`;
 * returns the completions and the latencies of those completing at or after `fromNs`.
 */
function drive(
  cl: ClosedLoop,
  serviceNs: number,
  fromNs: number,
  untilNs: number,
): { ops: number; latencies: number[] } {
  let t = cl.next(0);
  const latencies: number[] = [];
  for (;;) {
    const done = t + serviceNs;
    if (done > untilNs) break;
    const lat = cl.complete(done);
    if (done >= fromNs) latencies.push(lat);
    t = cl.next(done);
  }
  return { ops: latencies.length, latencies };
}

describe('ClosedLoop against the closed queueing model with deterministic times', () => {
  // N connections, round trip R, service S on one server. If R >= (N - 1) S no request ever waits:
  // X = N / (R + S), latency R + S. Otherwise the server never idles: X = 1 / S, and each connection's
  // cycle is N S, all of it latency as the client sees it (R + its wait + S = N S).
  const model = (n: number, r: number, s: number): { perSec: number; latency: number } =>
    r >= (n - 1) * s ? { perSec: (n * 1e9) / (r + s), latency: r + s } : { perSec: 1e9 / s, latency: n * s };

  it.each([
    [1, 46_565, 435],
    [1, 0, 1000],
    [4, 5000, 1000],
    [4, 2000, 1000],
    [8, 1500, 700],
  ])('N=%i R=%i S=%i: ops/s and steady latency as the model', (n, r, s) => {
    const ref = model(n, r, s);
    const window = 1e8; // 100 ms measured after 10 ms
    const { ops, latencies } = drive(new ClosedLoop(n, r, 0), s, 1e7, 1e7 + window);
    expect(Math.abs(ops / (window / 1e9) - ref.perSec)).toBeLessThanOrEqual(n / (window / 1e9));
    expect(latencies.filter((l) => l !== ref.latency)).toEqual([]);
  });

  it('one connection: ops/s = 1 / (round trip + service), hand-computed', () => {
    // 46,565 + 435 = 47,000 ns per operation (21,276.6 ops/s): completions at 435 + 47,000 k ns,
    // k = 0 .. floor((1e8 - 435) / 47,000) = 2127, so 2,128 of them in the first 100 ms.
    const { ops, latencies } = drive(new ClosedLoop(1, 46_565, 0), 435, 0, 1e8);
    expect(ops).toBe(2128);
    expect(new Set(latencies)).toEqual(new Set([47_000]));
  });

  it('serves the request that has waited longest; a request that arrives while the vCPU is busy waits', () => {
    const cl = new ClosedLoop(2, 100, 0);
    expect(cl.next(0)).toBe(0); // both ready at 0: connection 0 first
    expect(cl.complete(50)).toBe(150); // 50 in service + the round trip
    expect(cl.next(50)).toBe(50); // connection 1 has been ready since 0
    expect(cl.complete(80)).toBe(180); // waited 50, served 30, + 100
    expect(cl.next(80)).toBe(150); // connection 0's next request arrives at 50 + 100: idle until then
  });

  it('rejects a bad connection count or round trip', () => {
    expect(() => new ClosedLoop(0, 10, 0)).toThrow(/connections must be an integer >= 1, got 0/);
    expect(() => new ClosedLoop(1.5, 10, 0)).toThrow(/connections/);
    expect(() => new ClosedLoop(1, -1, 0)).toThrow(/roundTripNs must be a finite number >= 0, got -1/);
    expect(() => new ClosedLoop(1, Number.NaN, 0)).toThrow(/roundTripNs/);
  });
});

describe('load pass (memtier load run)', () => {
  it('vCPU i of 3 first writes its third of the pages in order, then follows its pattern', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const w = new WorkloadGen(
        { kind: 'uniform', pages: 10, writeFraction: 0, thinkNs: 0, loadPass: true },
        10,
        new Prng(1, i),
        i,
        3,
        undefined,
      );
      const lo = Math.floor((i * 10) / 3);
      const hi = Math.floor(((i + 1) * 10) / 3);
      for (let g = lo; g < hi; g++) {
        expect(w.inLoadPass()).toBe(true);
        expect(w.next(0)).toBe(g);
        expect(w.isWrite()).toBe(true); // a SET
        seen.add(g);
      }
      expect(w.inLoadPass()).toBe(true); // the last load access was just returned
      w.next(0);
      expect(w.inLoadPass()).toBe(false);
      expect(w.isWrite()).toBe(false); // writeFraction 0 after the load
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // every page once
  });

  it('does not apply to a scan or a trace', () => {
    expect(
      () =>
        new WorkloadGen(
          { kind: 'scan', pages: 10, writeFraction: 0, thinkNs: 0, loadPass: true } as never,
          10,
          new Prng(1, 0),
          0,
          1,
          undefined,
        ),
    ).toThrow(/loadPass does not apply to a scan workload/);
  });
});

/** One guest, one vCPU, a host big enough that nothing is ever reclaimed. */
function clientScenario(client: ClientSpec | undefined, durationMs: number): ScenarioConfig {
  return {
    name: 'closed loop',
    description: 'closed-loop client, no memory pressure',
    hardware: hardware('ampere-altra'),
    host: { memoryMiB: 64, watermarks: { minPct: 1, lowPct: 2, highPct: 3 }, swap: { device: 'none', sizeMiB: 0 } },
    guests: [
      {
        name: 'g',
        memoryMiB: 4,
        vcpus: 1,
        workload: {
          kind: 'uniform',
          pages: 256,
          writeFraction: 0,
          thinkNs: 0,
          opAccesses: 3,
          loadPass: true,
          ...(client ? { client } : {}),
        },
        protected: false,
      },
    ],
    reclaim: {
      policy: 'mglru',
      harvest: 'lockless',
      agingIntervalMs: 0,
      lookaround: true,
      mapYoung: true,
      tlb: { enabled: false, entries: 64, flushOnClear: false },
      allowLocklessWithoutHafdbs: false,
    },
    run: {
      durationMs,
      sampleIntervalMs: 5,
      seed: 1,
      deterministic: true,
      workers: 1,
      refaultWindowMs: 50,
      demandOnly: false,
    },
  };
}

describe('closed-loop client in a run', () => {
  // Altra: a resident access is a stage-2 walk from level 1 (3 x walkLevel 15 ns) + memAccess 100 ns
  // = 145 ns; an operation of 3 is 435 ns of service. With the round trip 10,000 ns: 10,435 ns each.
  const hw = hardware('ampere-altra');
  const serviceNs = 3 * (3 * hw.costs.walkLevel.ns + hw.costs.memAccess.ns);

  it('one connection, nothing evicted: ops/s = 1 / (round trip + service) and p50 = p99 = that latency', () => {
    expect(serviceNs).toBe(435);
    const s = runInProcess(clientScenario({ connections: 1, roundTripNs: 10_000, warmupMs: 5 }, 105)).summary;
    expect(s.evictions).toBe(0);
    expect(s.coldMisses).toBe(256); // the load pass touched every page before the measured window
    const expected = 1e9 / (10_000 + serviceNs); // 95,831.3
    expect(Math.abs((s.opsPerSec ?? 0) - expected)).toBeLessThanOrEqual(10); // one op in 100 ms
    const bucket = opBucketUpper(opBucket(10_000 + serviceNs));
    expect(s.opLatencyP50Ns).toBe(bucket);
    expect(s.opLatencyP99Ns).toBe(bucket);
    expect(s.guests[0].opsPerSec).toBe(s.opsPerSec);
  });

  it('four connections and no round trip: the vCPU never idles, each request waits for the other three', () => {
    const s = runInProcess(clientScenario({ connections: 4, roundTripNs: 0, warmupMs: 5 }, 105)).summary;
    expect(s.evictions).toBe(0);
    expect(Math.abs((s.opsPerSec ?? 0) - 1e9 / serviceNs)).toBeLessThanOrEqual(4 * 10); // X = 1 / S
    const bucket = opBucketUpper(opBucket(4 * serviceNs)); // latency N S = 1,740 ns
    expect(s.opLatencyP50Ns).toBe(bucket);
    expect(s.opLatencyP99Ns).toBe(bucket);
  });

  it('the memcached reproduction derives its round trip from the published p50 and this service time', () => {
    const preset = JSON.parse(
      readFileSync(path.join(repoRoot, 'presets/scenarios/repro-memcached-arm64.json'), 'utf8'),
    ) as { hardware: string; guests: { workload: { opAccesses: number; client: ClientSpec } }[] };
    expect(preset.hardware).toBe('ampere-altra');
    const w = preset.guests[0].workload;
    // p50 0.047 ms (memtier, both variants) = round trip + one resident operation.
    expect(w.client.roundTripNs + w.opAccesses * (3 * hw.costs.walkLevel.ns + hw.costs.memAccess.ns)).toBe(47_000);
  });

  it('control: without the client the same vCPU runs its operations back to back', () => {
    const s = runInProcess(clientScenario(undefined, 20)).summary;
    // 20 ms of 435-ns operations, less the load pass's faults: far above the closed loop's 95,831/s.
    expect(s.opsPerSec ?? 0).toBeGreaterThan(1e6);
    expect(s.opLatencyP50Ns).toBe(opBucketUpper(opBucket(serviceNs)));
  });
});
