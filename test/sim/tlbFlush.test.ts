/**
 * The VM-wide TLB flush after a young PTE (kvm_mmu_notifier_clear_flush_young -> kvm_handle_hva_range
 * -> kvm_flush_remote_tlbs -> __kvm_tlb_flush_vmid: TLBI VMALLS12E1IS + DSB ISH) and the swap-out the
 * reclaimer pays (mm/swap.ts): the flusher is charged tlbFlushVmid inside its write hold, every vCPU
 * of that VM and no other VM's refills with a full two-dimensional walk, O(1) per flush.
 */
import { hostUnmapFlushNs, invalidateEndHoldNs } from '../../engine/core/sim/guest.ts';
import { describe, expect, it } from 'vitest';
import {
  REFILL_FULL,
  REFILL_NONE,
  REFILL_STAGE1,
  refillExtraRefs,
  STAGE1_REFILL_REFS,
  Tlbs,
  VmTlbFlush,
} from '../../engine/core/arch/tlb.ts';
import { VCpu } from '../../engine/core/sim/vcpu.ts';
import {
  C_CMPXCHG,
  C_LOCK_ACQUIRE,
  C_MEM_ACCESS,
  C_PTE_SCAN,
  C_SWAP_OUT,
  C_TLB_FLUSH_VMID,
  C_TLB_INVALIDATE,
  C_WALK_LEVEL,
} from '../../engine/core/sim/costs.ts';
import { SSD_SWAP_OUT_SUBMIT_NS, swapOutNs } from '../../engine/core/mm/swap.ts';
import {
  GS_LOCK_HOLD_NS,
  GS_TLB_FLUSH_VM,
  GS_TLB_REFILL_NS,
  GS_TLB_REFILLS,
  GS_TLB_S1_REFILLS,
  GS_EVICTIONS,
  GS_WORDS,
} from '../../engine/core/sim/simLayout.ts';
import { hardware, twoVmScenario, workerOf } from './fixtures.ts';
import { TLB_FLUSH_VMID_DEFAULT } from '../../engine/core/config/hardware.ts';
import { validateHardwareProfile } from '../../engine/core/config/index.ts';

const twoVms = twoVmScenario;
const build = workerOf;

describe('VM-wide TLB flush: the vCPUs of that VM refill (arch/tlb.ts)', () => {
  it('a refill is a full two-dimensional walk over the lab walk: (4 + 1)(3 + 1) - 1 - 3 = 16 more references', () => {
    expect(refillExtraRefs(3)).toBe(16);
    expect(refillExtraRefs(4)).toBe(20);
  });

  it('a flush empties every vCPU TLB of that VM, each on its next translation, and no other VM', () => {
    const a = new Tlbs(4, 8);
    const b = new Tlbs(4, 8);
    const fa = new VmTlbFlush(4, a);
    const fb = new VmTlbFlush(4, b);
    for (let v = 0; v < 4; v++)
      for (let g = 0; g < 8; g++) {
        a.insert(v, g, true);
        b.insert(v, g, true);
      }
    fa.flush();
    // O(1): the flush itself touches no entry; each vCPU drops its own on its next translation.
    expect(a.e.every((x) => x !== 0)).toBe(true);
    for (let v = 0; v < 4; v++) expect(fa.pending(v)).toBe(true);
    for (let v = 0; v < 4; v++) {
      expect(fa.refill(v)).toBe(REFILL_FULL);
      expect(fa.refill(v)).toBe(REFILL_NONE); // once per flush
      for (let g = 0; g < 8; g++) expect(a.lookup(v, g, false)).toBe(false);
    }
    // The other VM: nothing pending, every entry still hits.
    for (let v = 0; v < 4; v++) {
      expect(fb.pending(v)).toBe(false);
      expect(fb.refill(v)).toBe(REFILL_NONE);
      for (let g = 0; g < 8; g++) expect(b.lookup(v, g, true)).toBe(true);
    }
  });

  it('negative control: a per-IPA invalidate drops one translation and starts no refill', () => {
    const a = new Tlbs(2, 8);
    const fa = new VmTlbFlush(2, a);
    for (let v = 0; v < 2; v++) for (let g = 0; g < 8; g++) a.insert(v, g, true);
    a.invalidate(3);
    expect(fa.pending(0)).toBe(false);
    expect(fa.refill(0)).toBe(REFILL_NONE);
    expect(a.lookup(0, 3, false)).toBe(false);
    expect(a.lookup(1, 4, false)).toBe(true);
  });

  it("the unmap path's stage-1 flush (VMALLE1IS): a stage-1 re-walk, unless a VM-wide flush came too", () => {
    const a = new Tlbs(2, 8);
    const fa = new VmTlbFlush(2, a);
    a.insert(0, 1, true);
    fa.flushStage1();
    expect(fa.pending(0)).toBe(false); // no full refill owed
    expect(a.lookup(0, 1, true)).toBe(true); // lazily: still there until vCPU 0 translates
    expect(fa.refill(0)).toBe(REFILL_STAGE1);
    expect(a.lookup(0, 1, true)).toBe(false); // combined entries are stage-1 entries: gone
    expect(fa.refill(0)).toBe(REFILL_NONE);
    fa.flushStage1();
    fa.flush();
    expect(fa.refill(1)).toBe(REFILL_FULL); // the full refill covers both
    expect(fa.refill(1)).toBe(REFILL_NONE);
    expect(refillExtraRefs(3)).toBeGreaterThan(STAGE1_REFILL_REFS);
  });

  it('VCpu.refill charges the walk each owed refill adds and counts it by kind: none, stage-1 re-walk, full walk', () => {
    const { core, g, stats } = build(twoVms({ harvest: 'lockless', rmapFlushYoung: true }));
    const v = core.actorList.find((a): a is VCpu => a instanceof VCpu && a.g === g && a.vi === 0);
    if (!v) throw new Error('no vCPU 0');
    const refill = () => (v as unknown as { refill(): number }).refill();
    const walk = hardware('ampere-altra').costs.walkLevel.ns;
    const s1 = STAGE1_REFILL_REFS * walk;
    const full = refillExtraRefs(3) * walk;
    // Hand-computed: nothing owed, then one stage-1 flush, then both kinds (the full refill covers both).
    // Negative controls, run by hand: the stage-1 slot of refillNsBy given the full walk's ns fails the
    // first stage-1 charge; flush() clearing only the full-refill count fails the last block.
    expect(refill()).toBe(0);
    g.tlbFlush.flushStage1();
    expect(refill()).toBe(s1);
    expect(refill()).toBe(0);
    g.tlbFlush.flushStage1();
    g.tlbFlush.flush();
    expect(refill()).toBe(full);
    g.tlbFlush.flushStage1();
    expect(refill()).toBe(s1);
    v.flush();
    const sb = g.index * GS_WORDS;
    expect(stats[sb + GS_TLB_REFILLS]).toBe(1);
    expect(stats[sb + GS_TLB_S1_REFILLS]).toBe(2);
    expect(stats[sb + GS_TLB_REFILL_NS]).toBe(full + 2 * s1);
    // The counts start again from zero after a flush (no refill since: nothing added).
    v.flush();
    expect(stats[sb + GS_TLB_REFILLS]).toBe(1);
    expect(stats[sb + GS_TLB_S1_REFILLS]).toBe(2);
    expect(s1).toBeLessThan(full); // so the charges above tell the kinds apart
  });

  it('an eviction (kvm_unmap_gfn_range) flushes stage 1 of its VM only, inside its write hold', () => {
    const { guests } = build(twoVms({ harvest: 'lockless', rmapFlushYoung: true }));
    const [a, b] = guests;
    const mapped = a.fault(9, true, 0);
    a.evictOne(9, mapped + 1000, false);
    expect(a.tlbFlush.s1gen).toBe(1);
    expect(b.tlbFlush.s1gen).toBe(0);
    expect(a.tlbFlush.gen).toBe(0);
  });

  it('the flusher pays tlbFlushVmid inside its write hold; a fault arriving meanwhile waits for it', () => {
    const { guests, stats } = build(twoVms({ harvest: 'locked-write', rmapFlushYoung: true }));
    const [a, b] = guests;
    const c = a.costs;
    expect(a.fault(0, true, 0)).toBeGreaterThan(0); // mapped young (mapYoung)
    const t0 = 1_000_000;
    const hold0 = stats[GS_LOCK_HOLD_NS];
    const h = a.harvester;
    h.t = t0;
    expect(h.folioReferenced(0)).toBe(true);
    const hold = stats[GS_LOCK_HOLD_NS] - hold0;
    // kvm_age_gfn's lone lookup of the leaf (descent + its line) is inside the hold too (mmuNotifier.ts).
    const lookup = (4 - a.pgt.startLevel) * c[C_WALK_LEVEL] + c[C_MEM_ACCESS];
    expect(hold).toBe(c[C_LOCK_ACQUIRE] + lookup + c[C_CMPXCHG] + c[C_TLB_FLUSH_VMID]);
    expect(h.t).toBe(t0 + hold);
    expect(stats[GS_TLB_FLUSH_VM]).toBe(1);
    expect(a.tlbFlush.gen).toBe(1);
    expect(b.tlbFlush.gen).toBe(0); // not another VM's
    // A stage-2 fault's read lock requested half-way through the flush is granted only after it.
    expect(a.vlock.read(t0 + hold / 2, 10, false)).toBe(t0 + hold);
    // The page is old now: the same call holds the lock without the flush, and bumps nothing.
    const hold1 = stats[GS_LOCK_HOLD_NS];
    h.t = t0 + 10_000;
    expect(h.folioReferenced(0)).toBe(false);
    // The same leaf line as the lookup before: the descent only (mmuNotifier.ts descentNs).
    expect(stats[GS_LOCK_HOLD_NS] - hold1).toBe(c[C_LOCK_ACQUIRE] + lookup - c[C_MEM_ACCESS] + c[C_PTE_SCAN]);
    expect(a.tlbFlush.gen).toBe(1);
  });

  it('in a run, the flushed VM vCPUs refill at most once per flush each; clear_young makes no full refill (only the unmaps stage-1 re-walks)', () => {
    const run = (rmapFlushYoung: boolean, tlb: boolean) => {
      const { core, stats } = build(twoVms({ harvest: 'locked-write', rmapFlushYoung, tlb }));
      core.loop();
      core.close();
      return [0, 1].map((g) => ({
        flushes: stats[g * GS_WORDS + GS_TLB_FLUSH_VM],
        refills: stats[g * GS_WORDS + GS_TLB_REFILLS],
        refillNs: stats[g * GS_WORDS + GS_TLB_REFILL_NS],
        s1Refills: stats[g * GS_WORDS + GS_TLB_S1_REFILLS],
        evictions: stats[g * GS_WORDS + GS_EVICTIONS],
      }));
    };
    const walk = hardware('ampere-altra').costs.walkLevel.ns;
    for (const tlb of [false, true]) {
      const flushed = run(true, tlb);
      for (const g of flushed) {
        expect(g.flushes).toBeGreaterThan(0);
        expect(g.refills).toBeGreaterThan(0);
        expect(g.refills).toBeLessThanOrEqual(g.flushes * 4);
        expect(g.refillNs).toBe(g.refills * refillExtraRefs(3) * walk + g.s1Refills * STAGE1_REFILL_REFS * walk);
      }
      // Negative control: the v2 baseline's clear_young never flushes, so no vCPU refills in full; the
      // unmaps' stage-1 flushes still make them re-walk stage 1, at most once per eviction each.
      for (const g of run(false, tlb)) {
        expect(g.flushes).toBe(0);
        expect(g.refills).toBe(0);
        expect(g.s1Refills).toBeGreaterThan(0);
        expect(g.s1Refills).toBeLessThanOrEqual(g.evictions * 4);
      }
    }
  });

  it('a flushed vCPU with the TLB model on misses where it hit before the flush', () => {
    const { core, guests } = build(twoVms({ harvest: 'locked-write', rmapFlushYoung: true, tlb: true }));
    const a = guests[0];
    const v = core.actorList.find((x) => x instanceof VCpu && x.g === a && x.vi === 0) as VCpu;
    const tlbs = a.tlbs as Tlbs;
    tlbs.insert(0, 7, true);
    expect(tlbs.lookup(0, 7, true)).toBe(true);
    a.tlbFlush.flush();
    const refill = (v as unknown as { refill(): number }).refill();
    expect(refill).toBe(refillExtraRefs(3) * a.costs[C_WALK_LEVEL]);
    expect(tlbs.lookup(0, 7, true)).toBe(false);
  });
});

describe('swap-out as the reclaimer pays it (mm/swap.ts)', () => {
  it('zram compresses in the reclaimer (profile swapOut); an SSD write is submitted and completes asynchronously', () => {
    const c = twoVms({ harvest: 'lockless', rmapFlushYoung: true });
    const costs = new Float64Array(32);
    costs[C_SWAP_OUT] = 15_000;
    expect(swapOutNs(c, costs)).toBe(15_000);
    const ssd = { ...c, host: { ...c.host, swap: { device: 'ssd' as const, sizeMiB: 64 } } };
    expect(swapOutNs(ssd, costs)).toBe(SSD_SWAP_OUT_SUBMIT_NS);
    // Guest.evictOne charges it after the unmap's write hold.
    for (const [cfg, want] of [
      [c, c.hardware.costs.swapOut.ns],
      [ssd, SSD_SWAP_OUT_SUBMIT_NS],
    ] as const) {
      const { guests } = build(cfg);
      const g = guests[0];
      const mapped = g.fault(5, true, 0);
      const k = g.costs;
      // IPAS2E1IS, then VMALLE1IS; and stage2_unmap_walker's clean to PoC (no S2FWB on this profile)
      // then invalidate_range_end's write hold (invalidateEndHoldNs)
      const hold = k[C_LOCK_ACQUIRE] + k[C_CMPXCHG] + 2 * k[C_TLB_INVALIDATE] + g.cmoNs + invalidateEndHoldNs(k);
      const t = mapped + 100_000;
      // and between the two holds the VMM's PTE flush (hostUnmapFlushNs, arm64's ptep_clear_flush)
      expect(g.evictOne(5, t, false)).toBe(t + hold + hostUnmapFlushNs(k, false) + want);
    }
  });
});

describe('tlbFlushVmid in configs written before it existed (engine/core/config/hardware.ts)', () => {
  it('an older config without the key still validates, charging the one broadcast TLBI it was run with', () => {
    const hw = structuredClone(hardware('ampere-altra')) as unknown as { costs: Record<string, unknown> };
    delete hw.costs.tlbFlushVmid;
    const r = validateHardwareProfile(hw);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.costs.tlbFlushVmid).toEqual({
      ns: r.value.costs.tlbInvalidate.ns,
      source: TLB_FLUSH_VMID_DEFAULT,
    });
    // Negative control: any other missing cost is still refused.
    delete hw.costs.tlbInvalidate;
    const bad = validateHardwareProfile(hw);
    expect(!bad.ok && bad.error.message).toContain('hardware.costs.tlbInvalidate: missing');
  });
});

describe('flush counts shared across workers (spread runs)', () => {
  // Each worker builds its own Guest (and VmTlbFlush) of the same VM; reclaim runs on worker 0.
  it('a flush by reclaim on worker 0 reaches a vCPU on worker 1 through the shared counts', () => {
    const shared = new Int32Array(new SharedArrayBuffer(8));
    const onReclaimWorker = new VmTlbFlush(4, null, shared);
    const onVcpuWorker = new VmTlbFlush(4, null, shared);
    expect(onVcpuWorker.refill(3)).toBe(REFILL_NONE);
    onReclaimWorker.flush();
    expect(onVcpuWorker.refill(3)).toBe(REFILL_FULL);
    expect(onVcpuWorker.refill(3)).toBe(REFILL_NONE);
    onReclaimWorker.flushStage1();
    expect(onVcpuWorker.refill(3)).toBe(REFILL_STAGE1);
  });

  it('negative control: per-worker counts (the bug) never tell worker 1 of the flush', () => {
    const onReclaimWorker = new VmTlbFlush(4, null);
    const onVcpuWorker = new VmTlbFlush(4, null);
    onVcpuWorker.refill(3);
    onReclaimWorker.flush();
    expect(onVcpuWorker.refill(3)).toBe(REFILL_NONE);
  });

  // Tlbs.clearVcpu clears a shared backing through a Float64Array view (a speed change, session 18 g): the
  // same words must end up zero as with fill on a private array, for even and odd entries per vCPU (odd: fill).
  it.each([256, 6, 5])(
    'clearVcpu on a shared backing drops exactly that vCPU entries, as on a private one (%i entries)',
    (entries) => {
      const vcpus = 4;
      const priv = new Tlbs(vcpus, entries);
      const shared = new Tlbs(vcpus, entries, new Int32Array(new SharedArrayBuffer(vcpus * entries * 4)));
      for (const t of [priv, shared])
        for (let v = 0; v < vcpus; v++)
          for (let gfn = 1; gfn <= 3 * entries; gfn += 2) t.insert(v, gfn + v, gfn % 3 === 0);
      for (const v of [2, 0, 3]) {
        priv.clearVcpu(v);
        shared.clearVcpu(v);
        expect(Array.from(shared.e)).toEqual(Array.from(priv.e));
      }
      expect(shared.e.slice(entries, 2 * entries).some((x) => x !== 0)).toBe(true); // vCPU 1 kept its entries
      expect(shared.e.slice(2 * entries, 3 * entries).every((x) => x === 0)).toBe(true);
    },
  );
});
