/**
 * The locked end of a stage-2 fault (arch/arm64/kvm/mmu.c user_mem_abort, v6.1-v6.6; kvm_fault_lock from
 * mainline 6.14): once __kvm_faultin_pfn has the page (kvm/userMemAbort.ts), read_lock(&kvm->mmu_lock)
 * (write under pKVM), mmu_invalidate_retry against the mmu_seq read before the faultin, and
 * kvm_pgtable_stage2_map with its CMO (under pKVM the __pkvm_host_share_guest HVC, shareGuest), or the
 * guest's re-fault after a retry. mapHoldNs and faultLock are the hold and the lock the trace replay's
 * copy (sim/replayMmu.ts) books too.
 */
import type { Guest } from '../sim/guest.ts';
import { C_CMPXCHG, C_LOCK_ACQUIRE } from '../sim/costs.ts';
import { FAULTIN_FAST_NS } from './faultinFast.ts';
import {
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_AGING_NS,
  GS_LOCK_WAIT_NS,
  GS_PRESSURE_NS,
  GS_STALL_NS,
  PG_RESIDENT,
} from '../sim/simLayout.ts';
import { vclock } from '../sync/vlock.ts';
import { suspendForMapLock } from '../sim/faultSuspend.ts';
import { el2Section, extendMmuHold } from './hypLock.ts';

/**
 * Hold of a stage-2 fault's map (Guest.fault and the replay's copy share this): user_mem_abort
 * holds kvm->mmu_lock (kvm_fault_lock: read, write under pKVM) around kvm_pgtable_stage2_map, whose
 * stage2_map_walker_try_leaf cleans the new page to PoC before making the leaf valid when the stage-2
 * has no FWB (cmoNs: s2CmoNs). Under pKVM (6.14+) the map is pkvm_pgtable_stage2_map's HVC,
 * __pkvm_host_share_guest, whose EL2 kvm_pgtable_stage2_map does the same walk and CMO: hvcNs
 * (Guest.mapHvcNs, sim/costs.ts mapHvcNs) is its round trip, 0 elsewhere.
 * The lab's mappings are data (never executable): no icache_inval_pou.
 */
export function mapHoldNs(c: Float64Array, cmoNs: number, hvcNs = 0): number {
  return c[C_LOCK_ACQUIRE] + hvcNs + c[C_CMPXCHG] + cmoNs;
}

/**
 * kvm_fault_lock (arch/arm64/include/asm/kvm_mmu.h, mainline 6.14+): kvm->mmu_lock for write under pKVM
 * (Guest.faultWrite: is_protected_kvm_enabled()), else for read (v6.1-v6.13 user_mem_abort's read_lock
 * too), booked at t for `hold`. Returns the grant.
 */
export function faultLock(g: Guest, t: number, hold: number): number {
  return g.faultWrite ? g.vlock.write(t, hold, false) : g.vlock.read(t, hold, false);
}

/**
 * The end of a stage-2 fault (user_mem_abort, arch/arm64/kvm/mmu.c, v6.1-v6.6), asked at `now`:
 * read_lock(&kvm->mmu_lock), then `if (mmu_invalidate_retry(kvm, mmu_seq)) goto out_unlock` with mmu_seq
 * read at `sample`, else kvm_pgtable_stage2_map (the hold: mapHoldNs). On a retry the fault returns 0
 * with nothing mapped, kvm_handle_guest_abort re-enters the guest, which re-executes the access and takes
 * the stage-2 fault again: its cost (refaultNs: the trap and user_mem_abort's fast path, the page being
 * resolved already) then the same read_lock and check, with mmu_seq read anew. The lab's table
 * was updated when the fault's first step ran; a retry only delays the fault's end (and the leaf is
 * visible early, to aging, meanwhile). If reclaim unmapped this very gfn meanwhile, the new fault starts
 * over (swap-in). Returns the fault's finish time, or FAULT_SUSPENDED when the re-fault's request lies
 * past the vCPU's scheduling limit (PHASE_MAP_LOCK, as after a swap-in).
 */
export function mapLocked(
  g: Guest,
  gfn: number,
  write: boolean,
  vi: number,
  limit: number,
  now: number,
  t0: number,
  reclaimNs: number,
  refault: boolean,
  sample: number,
): number {
  const s = g.stats;
  const sb = g.sb;
  const c = g.costs;
  const mapHold = mapHoldNs(c, g.cmoNs, g.mapHvcNs);
  const inval = g.mmuInvalidate;
  // The two checks and the booking of every pass of this call (each retry's re-fault) in one section of
  // the shared calendar (VLock.enterSection), left before each return. On the bench's 64-vCPU scenario
  // (1 guest, 200 ms, one worker) a stage-2 fault makes ~6 passes (1,227,192 for 200,445 faults), but most
  // end in a suspension (932,615: the re-fault lies past the step's limit) and resume in a new call, which
  // takes its own section; the passes merged here cut a 2-worker run's mutex acquisitions (each a cmpxchg
  // on the calendar's meta line, which the other worker's faults write too) 1.18 M -> 1.09 M (session 12,
  // temporary counters). Nothing in a pass waits on another lock or on a barrier; the other worker's
  // bookings fall between this fault's passes or not (real-time order, as before). No
  // try/finally (it cost ~5 % of a one-thread spread run's CPU, bench/_spreadCost.ts interleaved): an
  // exception in between ends the run, and the host then terminates every worker (engine.ts
  // terminateAll), so the calendar's mutex left held cannot hang a peer.
  g.vlock.enterSection();
  for (;;) {
    // Known at the request (an invalidation began before it and ended after the sample): the hold is the
    // check alone, the lock's acquire and release. Else the map's; a retry found only at the grant (the
    // fault waited behind an invalidation) keeps the map's hold: over-charged by cmpxchg + CMO (rare).
    const early = inval.retry(sample, now);
    const hold = early ? c[C_LOCK_ACQUIRE] : mapHold;
    const start = faultLock(g, now, hold);
    // Not resident with no invalidation seen: evicted in an actor's step booked out of virtual-time
    // order (within the scheduler's slack); the kernel's check would have seen it, so this retries too.
    const resident = (g.flags[gfn] & PG_RESIDENT) !== 0;
    const mapped = !early && resident && !inval.retry(sample, start);
    const lockWait = start - now;
    s[sb + GS_LOCK_WAIT_NS] += lockWait;
    s[sb + GS_LOCK_WAIT_AGING_NS] += g.vlock.agingWaitNs;
    s[sb + GS_LOCK_HOLD_NS] += hold;
    let unlocked = start + hold;
    if (mapped) {
      if (g.hypHostLock !== null && g.hypGuestLock !== null) unlocked = shareGuest(g, start, unlocked);
      g.vlock.exitSection();
      if (g.sharedLock) inval.keep(vi, sample, start);
      s[sb + GS_STALL_NS] += unlocked - t0;
      // Unconstrained, a refault would have been a hit and a first touch would neither reclaim nor wait
      // (every MMU-lock writer is reclaim or aging, every invalidation reclaim's).
      s[sb + GS_PRESSURE_NS] += refault ? unlocked - t0 : reclaimNs + lockWait;
      return unlocked;
    }
    inval.retries++;
    if (!resident) {
      g.vlock.exitSection(); // before the fault's reclaim, which may wait on lru_lock
      // Reclaim unmapped this gfn while the fault slept: the guest's next fault is a full one.
      s[sb + GS_STALL_NS] += unlocked - t0;
      s[sb + GS_PRESSURE_NS] += refault ? unlocked - t0 : reclaimNs + lockWait;
      return g.fault(gfn, write, unlocked, vi, limit);
    }
    // The retry's time (the wait, the check, the re-fault) is pressure: unconstrained nothing invalidates.
    const next = unlocked + inval.refaultNs;
    reclaimNs += next - now;
    now = next;
    sample = next - FAULTIN_FAST_NS;
    if (now >= limit && now > vclock.others) {
      g.vlock.exitSection();
      return suspendForMapLock(g, vi, t0, reclaimNs, refault, now, sample);
    }
  }
}

/**
 * pKVM (mainline 6.14+): the map's HVC, __pkvm_host_share_guest, takes host_lock_component (host-wide) and
 * the VM's guest_lock_component at EL2 (kvm/hypLock.ts) for its critical section: the hyp VM table's walk
 * (el2LookupNs, the HVC's last part before the itemized work), the leaf's cmpxchg and the CMO, from
 * lockAcquire + mapHvcNs - el2LookupNs into the fault's write hold granted at `start`. A wait there (another
 * VM's share or unshare holds host_mmu.lock) is spent spinning at EL2 with kvm->mmu_lock held: the hold,
 * ending at `unlocked`, lasts that much longer. Returns its end. Only a fault that maps makes the HVC
 * (mmu_invalidate_retry's check-only hold does not).
 */
function shareGuest(g: Guest, start: number, unlocked: number): number {
  const c = g.costs;
  const host = g.hypHostLock;
  const guest = g.hypGuestLock;
  if (host === null || guest === null) return unlocked;
  const issue = start + c[C_LOCK_ACQUIRE] + g.mapHvcNs - g.el2LookupNs;
  const wait = el2Section(host, guest, issue, g.el2LookupNs + c[C_CMPXCHG] + g.cmoNs);
  if (wait <= 0) return unlocked;
  g.stats[g.sb + GS_LOCK_HOLD_NS] += wait;
  return extendMmuHold(g.vlock, host, unlocked, wait, false);
}
