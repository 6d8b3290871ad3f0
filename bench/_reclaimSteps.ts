// Direct reclaim's folio steps in a diagnostic's measured window (bench/_memcachedTail.ts; split from it,
// session 17 f): each step (one folio: shrink_folio_list's folio_referenced, maybe the unmap) in the
// window, its start and end, and the write-lock requests (locked kvm_age_gfn checks, unmaps) made inside
// it with their waits. Hooks (this process only): Pgdat.directReclaimStep, VLock.writeReq.
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { VLock } from '../engine/core/sync/vlock.ts';
import { hookMethod } from './_util.ts';

interface Step {
  t: number;
  end: number;
  writes: number;
  waitNs: number;
}

export interface ReclaimSteps {
  /** Forget the steps recorded so far; record those starting at or after `from` (ns). */
  reset(from: number): void;
  /** Print the window's steps, per op that met direct reclaim (reclaimNs: each such op's reclaim time). */
  report(reclaimNs: number[]): void;
}

const us = (ns: number): string => (ns / 1e3).toFixed(1);

/** Installs the hooks (once per process) and returns the record they fill. */
export function hookReclaimSteps(): ReclaimSteps {
  let steps: Step[] = [];
  let inDirect: Step | null = null;
  let winFrom = 0;
  type StepArgs = Parameters<Pgdat['directReclaimStep']>;
  hookMethod(
    Pgdat.prototype,
    'directReclaimStep',
    (step0) =>
      function (this: Pgdat, ...a: StepArgs): number {
        const t = a[0];
        const s: Step = { t, end: t, writes: 0, waitNs: 0 };
        inDirect = s;
        const e = step0.apply(this, a) as number;
        inDirect = null;
        s.end = e;
        if (t >= winFrom) steps.push(s);
        return e;
      },
  );
  hookMethod(
    VLock.prototype,
    'writeReq',
    (writeReq0) =>
      function (this: VLock, aging: boolean): void {
        writeReq0.call(this, aging);
        if (inDirect !== null) {
          inDirect.writes++;
          inDirect.waitNs += this.grant - this.reqT;
        }
      },
  );
  return {
    reset(from: number): void {
      steps = [];
      winFrom = from;
    },
    report(reclaimNs: number[]): void {
      // Direct reclaim in the window: steps (one folio each) grouped per vCPU-fault by the recorded op
      // parts, plus the steps themselves: write-lock requests and their waits; vCPUs in direct reclaim at once.
      const sw = steps.reduce((a, s) => a + s.writes, 0);
      const swWait = steps.reduce((a, s) => a + s.waitNs, 0);
      const busy = steps.reduce((a, s) => a + (s.end - s.t), 0);
      const ev: [number, number][] = [];
      for (const s of steps) ev.push([s.t, 1], [s.end, -1]);
      ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let c = 0;
      let most = 0;
      for (const [, d] of ev) {
        c += d;
        most = Math.max(most, c);
      }
      const reclaimOps = reclaimNs;
      console.log(
        `direct reclaim: ${steps.length} folio steps in the window (${us(busy)} us of vCPU time, mean ${steps.length ? (busy / steps.length).toFixed(0) : 0} ns), write-lock requests in them ${sw} (${steps.length ? (sw / steps.length).toFixed(2) : 0} per step, waited ${us(swWait)} us); most vCPUs in a step at once ${most}; ops that met it ${reclaimOps.length}, their mean reclaim ${reclaimOps.length ? us(reclaimOps.reduce((a, x) => a + x, 0) / reclaimOps.length) : '-'} us`,
      );
      if (reclaimOps.length > 0)
        console.log(
          `  per op that met direct reclaim (~ one SWAP_CLUSTER_MAX cluster each): ${(steps.length / reclaimOps.length).toFixed(0)} folio steps, ${(sw / reclaimOps.length).toFixed(0)} write-lock requests (folio_referenced -> kvm_age_gfn checks and unmaps), ${us(swWait / reclaimOps.length)} us of write-lock wait, ${us(busy / reclaimOps.length)} us in steps`,
        );
    },
  };
}
