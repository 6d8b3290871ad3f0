/**
 * x86's kvm_flush_remote_tlbs (hardware remoteTlbFlush 'ipi-kick', engine/core/kvm/remoteTlbFlush.ts):
 * kvm_make_all_cpus_request(kvm, KVM_REQ_TLB_FLUSH) sets the request on every vCPU, sends an IPI to each
 * vCPU in guest mode and waits for it (KVM_REQUEST_WAIT), inside the flusher's write hold; each kicked
 * vCPU takes the exit; vCPUs outside guest mode (in a fault, at a rendezvous) are not kicked. Profiles
 * without the field keep arm64's TLBI broadcast, bit for bit.
 */
import { describe, expect, it } from 'vitest';
import type { HardwareProfile, ReclaimSpec, RunSummary, ScenarioConfig } from '../../engine/protocol.ts';
import { IpiKick } from '../../engine/core/kvm/remoteTlbFlush.ts';
import { runInProcess } from '../../engine/core/sim/run.ts';
import {
  C_CMPXCHG,
  C_IPI_ACK,
  C_IPI_SEND,
  C_KICK_EXIT,
  C_LOCK_ACQUIRE,
  C_PTE_SCAN,
  C_TLB_FLUSH_VMID,
  C_VCPU_REQUEST,
  costTable,
} from '../../engine/core/sim/costs.ts';
import {
  GS_IPI_FLUSH_NS,
  GS_IPI_KICKS,
  GS_KICK_EXIT_NS,
  GS_LOCK_HOLD_NS,
  GS_TLBI,
  GS_TLB_FLUSH_VM,
  GS_WORDS,
} from '../../engine/core/sim/simLayout.ts';
import { validateHardwareProfile } from '../../engine/core/config/hardware.ts';
import { hardware, twoVmScenario, workerOf } from './fixtures.ts';

const x86 = (): HardwareProfile => hardware('x86-workstation');
const altra = (): HardwareProfile => hardware('ampere-altra');

const twoVms = (hw: HardwareProfile, harvest: ReclaimSpec['harvest'] = 'locked-write'): ScenarioConfig =>
  twoVmScenario({ hw, harvest });
const build = workerOf;

describe('IpiKick: kvm_make_all_cpus_request(KVM_REQ_TLB_FLUSH) on x86', () => {
  const c = costTable(x86());
  /** The flusher's ns: two locked ops per vCPU, a line fetch per `remote`, an IPI per kick, the wait. */
  const flusherNs = (vcpus: number, remote: number, kicked: number) =>
    vcpus * 2 * c[C_CMPXCHG] + remote * c[C_VCPU_REQUEST] + kicked * c[C_IPI_SEND] + (kicked > 0 ? c[C_IPI_ACK] : 0);

  it('every vCPU in guest mode is kicked: the flusher pays per vCPU and per IPI, each kicked vCPU owes one exit', () => {
    const k = new IpiKick(4, c);
    expect(k.flush(1000, true)).toBe(flusherNs(4, 4, 4));
    expect(k.lastKicked).toBe(4);
    for (let v = 0; v < 4; v++) expect(k.take(v)).toBe(c[C_KICK_EXIT]);
    for (let v = 0; v < 4; v++) expect(k.take(v)).toBe(0); // charged once
  });

  it('a vCPU outside guest mode (a fault from 900 to 5000) is not kicked and owes nothing; it is again after', () => {
    const k = new IpiKick(4, c);
    k.leave(2, 900);
    expect(k.flush(1000, true)).toBe(flusherNs(4, 4, 3));
    expect(k.take(2)).toBe(0);
    k.enter(2, 5000);
    expect(k.inGuest(2, 4999)).toBe(false);
    expect(k.inGuest(2, 5000)).toBe(true);
    k.flush(6000, true);
    expect(k.lastKicked).toBe(4);
    expect(k.take(2)).toBe(c[C_KICK_EXIT]);
  });

  it('a leave while already out keeps the earliest start (a frameless fault retried, a suspended one resumed)', () => {
    const k = new IpiKick(1, c);
    k.leave(0, 100);
    k.leave(0, 300);
    expect(k.inGuest(0, 200)).toBe(false);
  });

  it('no vCPU in guest mode: the request loop only, no IPI and no wait', () => {
    const k = new IpiKick(3, c);
    for (let v = 0; v < 3; v++) k.leave(v, 0);
    expect(k.flush(10, true)).toBe(flusherNs(3, 3, 0));
    expect(k.lastKicked).toBe(0);
  });

  it("kswapd's second flush finds the request lines of vCPUs that stayed out in its own cache; a mode change or a direct reclaimer pays the fetch", () => {
    const k = new IpiKick(3, c);
    for (let v = 0; v < 3; v++) k.leave(v, 0); // blocked in faults, or waiting in the VMM
    expect(k.flush(10, true)).toBe(flusherNs(3, 3, 0));
    expect(k.lastRemote).toBe(3);
    expect(k.flush(20, true)).toBe(flusherNs(3, 0, 0)); // nobody touched the lines
    k.enter(1, 25); // vCPU 1 re-entered: its line moved
    expect(k.flush(30, true)).toBe(flusherNs(3, 1, 1));
    expect(k.flush(40, true)).toBe(flusherNs(3, 1, 1)); // kicked at 30: its exit touched the line again
    // Negative control: a direct reclaimer (another CPU) fetches every line, and so does kswapd after it.
    expect(k.flush(50, false)).toBe(flusherNs(3, 3, 1));
    expect(k.flush(60, true)).toBe(flusherNs(3, 3, 1));
  });

  it('the line follows virtual time: a fault recorded ahead of the flusher touches it only at its start and end', () => {
    const k = new IpiKick(1, c);
    k.leave(0, 0);
    expect(k.flush(10, true)).toBe(flusherNs(1, 1, 0));
    k.enter(0, 20);
    k.leave(0, 25); // a fault from 25 to 100, simulated before the flusher reaches 30
    k.enter(0, 100);
    expect(k.flush(30, true)).toBe(flusherNs(1, 1, 0)); // entered at 20, left at 25: fetched
    expect(k.flush(50, true)).toBe(flusherNs(1, 0, 0)); // still in the fault: untouched since 30
    expect(k.flush(150, true)).toBe(flusherNs(1, 1, 1)); // re-entered at 100: fetched, and kicked
  });
});

describe('the x86 flush inside the write holds', () => {
  it('clear_flush_young of a young page: the IPIs and the wait lengthen the write hold; a fault meanwhile waits', () => {
    const { guests, stats } = build(twoVms(x86()));
    const [a, b] = guests;
    const c = a.costs;
    expect(a.fault(0, true, 0)).toBeGreaterThan(0); // mapped young (mapYoung)
    const t0 = 1_000_000;
    const hold0 = stats[GS_LOCK_HOLD_NS];
    const h = a.harvester;
    h.t = t0;
    expect(h.folioReferenced(0)).toBe(true);
    const hold = stats[GS_LOCK_HOLD_NS] - hold0;
    // The harvester is not kswapd here (a direct reclaimer): every request line is fetched.
    const ipi = 4 * 2 * c[C_CMPXCHG] + 4 * c[C_VCPU_REQUEST] + 4 * c[C_IPI_SEND] + c[C_IPI_ACK];
    expect(ipi).toBeGreaterThan(c[C_TLB_FLUSH_VMID]);
    expect(hold).toBe(c[C_LOCK_ACQUIRE] + c[C_PTE_SCAN] + c[C_CMPXCHG] + ipi);
    expect(stats[GS_IPI_KICKS]).toBe(4);
    expect(stats[GS_IPI_FLUSH_NS]).toBe(ipi);
    expect(stats[GS_TLB_FLUSH_VM]).toBe(1);
    expect(a.tlbFlush.gen).toBe(1);
    // Only this VM's vCPUs: the other VM is neither flushed nor kicked.
    expect(b.tlbFlush.gen).toBe(0);
    expect(stats[GS_WORDS + GS_IPI_KICKS]).toBe(0);
    for (let v = 0; v < 4; v++) expect(b.kick?.take(v)).toBe(0);
    for (let v = 0; v < 4; v++) expect(a.kick?.take(v)).toBe(c[C_KICK_EXIT]);
    expect(a.vlock.read(t0 + hold / 2, 10, false)).toBe(t0 + hold);
    // A vCPU in a fault at that time is skipped: one IPI fewer, a hold shorter by one send.
    a.kick?.leave(1, t0 + 5_000);
    expect(a.fault(1, true, 0)).toBeGreaterThan(0);
    const hold1 = stats[GS_LOCK_HOLD_NS];
    h.t = t0 + 10_000;
    expect(h.folioReferenced(1)).toBe(true);
    expect(stats[GS_LOCK_HOLD_NS] - hold1).toBe(hold - c[C_IPI_SEND]);
    expect(stats[GS_IPI_KICKS]).toBe(4 + 3);
    expect(a.kick?.take(1)).toBe(0);
  });

  it('the unmap (kvm_unmap_gfn_range, flush_on_ret) flushes by IPI in its write hold: no TLBI, no stage-1-only flush', () => {
    const { guests, stats } = build(twoVms(x86()));
    const [a] = guests;
    const c = a.costs;
    a.fault(7, true, 1000);
    const before = stats[GS_LOCK_HOLD_NS];
    const end = a.evictOne(7, 50_000, false);
    const hold = stats[GS_LOCK_HOLD_NS] - before;
    expect(hold).toBe(
      c[C_LOCK_ACQUIRE] +
        c[C_CMPXCHG] +
        4 * 2 * c[C_CMPXCHG] +
        4 * c[C_VCPU_REQUEST] +
        4 * c[C_IPI_SEND] +
        c[C_IPI_ACK],
    );
    expect(end).toBe(50_000 + hold + a.swapOutNs);
    expect(stats[GS_TLBI]).toBe(0);
    expect(a.tlbFlush.gen).toBe(1); // a full flush: the vCPUs refill in full
    expect(a.tlbFlush.s1gen).toBe(0);
    // Negative control: the Altra unmaps with its two broadcast TLBIs and a stage-1 flush, kicking nobody.
    const arm = build(twoVms(altra()));
    arm.guests[0].fault(7, true, 1000);
    arm.guests[0].evictOne(7, 50_000, false);
    expect(arm.stats[GS_TLBI]).toBe(2);
    expect(arm.guests[0].tlbFlush.s1gen).toBe(1);
    expect(arm.guests[0].tlbFlush.gen).toBe(0);
    expect(arm.guests[0].kick).toBeNull();
  });
});

describe('the x86 flush in a run', () => {
  const counters = (c: ScenarioConfig) => {
    const { core, stats } = build(c);
    core.loop();
    core.close();
    return [0, 1].map((g) => ({
      flushes: stats[g * GS_WORDS + GS_TLB_FLUSH_VM],
      kicks: stats[g * GS_WORDS + GS_IPI_KICKS],
      exitNs: stats[g * GS_WORDS + GS_KICK_EXIT_NS],
    }));
  };

  it('vCPUs in a fault are not kicked; every kick is charged to the kicked vCPU once', () => {
    const exit = x86().costs.kickExit.ns;
    for (const g of counters(twoVms(x86()))) {
      expect(g.flushes).toBeGreaterThan(0);
      expect(g.kicks).toBeGreaterThan(0);
      // Some flushes find vCPUs in their faults (swap-ins, lock waits, direct reclaim): fewer IPIs than
      // flushes x vCPUs.
      expect(g.kicks).toBeLessThan(g.flushes * 4);
      // Each kick's exit is charged at most once; only the last few (after a vCPU's last access) may be left.
      expect(g.exitNs).toBeLessThanOrEqual(g.kicks * exit);
      expect(g.exitNs).toBeGreaterThanOrEqual((g.kicks - 4) * exit);
    }
  });

  it('negative control: with vcpu->mode never tracked (the bug: every vCPU looks in guest mode) each flush kicks all', () => {
    const { leave, enter } = IpiKick.prototype;
    IpiKick.prototype.leave = function () {};
    IpiKick.prototype.enter = function () {};
    try {
      for (const g of counters(twoVms(x86()))) {
        expect(g.flushes).toBeGreaterThan(0);
        expect(g.kicks).toBe(g.flushes * 4); // the invariant above (kicks < flushes x vCPUs) fails
      }
    } finally {
      Object.assign(IpiKick.prototype, { leave, enter });
    }
  });

  it('the Altra profile kicks nobody and charges no exit', () => {
    for (const g of counters(twoVms(altra()))) {
      expect(g.flushes).toBeGreaterThan(0);
      expect(g.kicks).toBe(0);
      expect(g.exitNs).toBe(0);
    }
  });
});

describe('profiles without remoteTlbFlush (written before it existed)', () => {
  /** The Altra preset as a config saved before the field and the four IPI costs existed. */
  function oldAltra(): HardwareProfile {
    const old = structuredClone(altra()) as unknown as Record<string, unknown> & { costs: Record<string, unknown> };
    delete old.remoteTlbFlush;
    for (const k of ['vcpuRequest', 'ipiSend', 'ipiAck', 'kickExit']) delete old.costs[k];
    const r = validateHardwareProfile(old);
    if (!r.ok) throw new Error(JSON.stringify(r));
    return r.value;
  }

  it('load, flush by TLBI broadcast, and give a bit-identical summary (explicit tlbi-broadcast too)', () => {
    const hw = oldAltra();
    expect(hw.remoteTlbFlush).toBeUndefined();
    expect(hw.costs.kickExit.ns).toBe(0);
    const summary = (h: HardwareProfile): RunSummary => runInProcess(twoVms(h)).summary;
    const strip = (s: RunSummary) => ({ ...s, wallMs: 0 });
    const now = strip(summary(altra()));
    expect(strip(summary(hw))).toEqual(now);
    expect(strip(summary({ ...altra(), remoteTlbFlush: 'tlbi-broadcast' }))).toEqual(now);
    expect(now.ipiKicks).toBeUndefined();
    // Negative control: the same scenario on the x86 profile differs and reports its IPIs.
    const x = summary(x86());
    expect(x.ipiKicks).toBeGreaterThan(0);
    expect(x.ipiFlushNs).toBeGreaterThan(0);
  });
});

describe('validation of remoteTlbFlush', () => {
  it('an unknown mechanism is named with a suggestion', () => {
    const r = validateHardwareProfile({ ...x86(), remoteTlbFlush: 'ipi' });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).toContain('remoteTlbFlush');
    expect(JSON.stringify(r)).toContain("'ipi-kick'");
  });

  it("'ipi-kick' without its costs names the missing ones", () => {
    const hw = structuredClone(x86()) as unknown as Record<string, unknown> & { costs: Record<string, unknown> };
    delete hw.costs.ipiAck;
    delete hw.costs.kickExit;
    const r = validateHardwareProfile(hw);
    expect(r.ok).toBe(false);
    const text = JSON.stringify(r);
    expect(text).toContain("'ipiAck'");
    expect(text).toContain("'kickExit'");
    expect(text).not.toContain("'ipiSend'");
  });

  it("'ipi-kick' with pkvm is refused (pKVM is arm64's)", () => {
    const r = validateHardwareProfile({ ...x86(), pkvm: true, defaultHarvest: 'hypercall' });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).toContain('pkvm');
  });

  it('the x86 preset: IPI flush, coherent caches, hardware A bits, every IPI cost sourced', () => {
    const hw = x86();
    expect(hw.remoteTlbFlush).toBe('ipi-kick');
    expect(hw.s2fwb).toBe(true);
    expect(hw.hafdbs).toBe(true);
    expect(hw.pkvm).toBe(false);
    for (const k of ['vcpuRequest', 'ipiSend', 'ipiAck', 'kickExit'] as const) {
      expect(hw.costs[k].ns).toBeGreaterThan(0);
      expect(hw.costs[k].source).toMatch(/^(Measured|Estimate)/);
    }
    for (const id of ['ampere-altra', 'phone-prev82', 'pkvm'] as const)
      expect(hardware(id).remoteTlbFlush).toBeUndefined();
  });
});
