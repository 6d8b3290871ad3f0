// Host stalls per vCPU and the guest-thread coupling estimate (session 15 c), for bench/_memcachedTail.ts:
// [start, end) of every stage-2 fault (first entry to completion: direct reclaim, swap read, read lock,
// re-faults) and permission / access-flag fault, in each vCPU's clock order, and the vCPU and time of
// every op completed in the measured window. Split from _memcachedTail.ts (session 17 f).

export class HostStalls {
  private readonly stallS: number[][] = [];
  private readonly stallE: number[][] = [];
  // Op completions in the window: vCPU and time (pushed with the diagnostic's op records, same order).
  private readonly doneVi: number[] = [];
  private readonly doneT: number[] = [];

  /** vCPU vi was stalled in the host over [a, b). */
  stall(vi: number, a: number, b: number): void {
    (this.stallS[vi] ??= []).push(a);
    (this.stallE[vi] ??= []).push(b);
  }

  /** An op completed on vCPU vi at t (in the measured window). */
  done(vi: number, t: number): void {
    this.doneVi.push(vi);
    this.doneT.push(t);
  }

  /** The part of vCPU u's host stall still to run at t (0 if u is not stalled at t). */
  private residual(u: number, t: number): number {
    const S = this.stallS[u];
    if (S === undefined) return 0;
    let lo = 0;
    let hi = S.length - 1;
    let k = -1;
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      if (S[m] <= t) {
        k = m;
        lo = m + 1;
      } else hi = m - 1;
    }
    return k >= 0 && this.stallE[u][k] > t ? this.stallE[u][k] - t : 0;
  }

  /**
   * Guest-thread coupling (session 15 c). In the published guest memcached's 64 workers and memtier's 64
   * threads share the 64 vCPUs; arm64 has no async page fault, so a vCPU stalled in the host stalls every
   * guest thread the guest has on it. In the lab a stall delays only the op in service on that vCPU. The
   * extra delay coupling can add: an op's reply is received by its memtier thread, on some vCPU u; if u is
   * stalled in the host at that moment the thread runs when the stall ends. Estimate: u = another vCPU drawn
   * per op (a fixed hash, deterministic), the extra = u's residual stall at the op's end. A pessimistic
   * placement: the guest's select_idle_sibling would put the woken thread on an idle vCPU, and a stalled
   * vCPU looks busy (it runs the faulting thread); and a long stall catches several replies (the
   * inspection paradox), so the estimate can exceed "one": the extra if each stall delayed exactly one other
   * guest thread for its whole length (128 threads on 64 vCPUs: one more per vCPU), the host-stall time per op.
   * `from`: the window's start; n, avg, lat: the window's op count, mean and sorted latencies; opLat(i): the
   * latency of the i-th op completed (done's order).
   */
  couplingReport(
    from: number,
    n: number,
    avg: number,
    lat: Float64Array,
    opLat: (i: number) => number,
    winS: number,
  ): void {
    const { stallS, stallE, doneVi, doneT } = this;
    let stallNs = 0;
    let stalls = 0;
    for (let u = 0; u < stallS.length; u++) {
      const S = stallS[u];
      if (S === undefined) continue;
      for (let k = 0; k < S.length; k++) {
        if (stallE[u][k] < from) continue;
        stallNs += stallE[u][k] - Math.max(S[k], from);
        stalls++;
      }
    }
    const vcpus = stallS.length;
    let extra = 0;
    let hit = 0;
    const coupled = new Float64Array(doneT.length);
    let h = 0x9e3779b9;
    for (let i = 0; i < doneT.length; i++) {
      h = (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + i) >>> 0;
      const u = (doneVi[i] + 1 + (h % (vcpus - 1))) % vcpus;
      const r = this.residual(u, doneT[i]);
      if (r > 0) hit++;
      extra += r;
      // doneT and the op records are pushed together: the op's own latency plus the coupled delay.
      coupled[i] = opLat(i) + r;
    }
    coupled.sort();
    const m = coupled.length;
    const cq = (p: number): number => coupled[Math.min(m - 1, Math.ceil(p * m) - 1)];
    const us1 = (ns: number): string => (ns / 1e3).toFixed(2);
    console.log(
      `host stalls in the window: ${stalls} (${(stallNs / 1e6).toFixed(1)} vCPU-ms, ${us1(stallNs / n)} us per op, ${((100 * stallNs) / (vcpus * winS * 1e9)).toFixed(2)} % of vCPU time); coupling estimate (reply received on another vCPU, random): ${((100 * hit) / Math.max(1, doneT.length)).toFixed(2)} % of ops find it stalled, +${us1(extra / Math.max(1, doneT.length))} us per op on average (avg ${us1(avg)} -> ${us1(avg + extra / Math.max(1, doneT.length))}), p99 ${us1(lat[Math.ceil(0.99 * n) - 1])} -> ${us1(cq(0.99))}, p99.9 -> ${us1(cq(0.999))} us; one thread per stall +${us1(stallNs / n)} us per op`,
    );
  }
}
