/**
 * The stage-2 faults on a valid leaf (arch/arm64/kvm/mmu.c, v6.1-v6.6: kvm_handle_guest_abort), which
 * change one descriptor under kvm->mmu_lock and take no frame: handle_access_fault (afFault) and
 * user_mem_abort's permission-fault path (permFault). Split from kvm/userMemAbort.ts (the fault that maps a
 * page) in session 16 (h), unchanged but for permFault's PG_SWAPSLOT clear. Guest.afFault / permFault come here.
 */
import type { Guest } from '../sim/guest.ts';
import { readLock, readUnlock } from './mmuLock.ts';
import { stage2Mkyoung, stage2SetWritable } from '../arch/pgtable.ts';
import { C_AF_FAULT, C_CMPXCHG, C_LOCK_ACQUIRE } from '../sim/costs.ts';
import {
  GS_AF_FAULTS,
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_AGING_NS,
  GS_LOCK_WAIT_NS,
  GS_PERM_FAULTS,
  GS_PRESSURE_NS,
  GS_STALL_NS,
  PG_SWAPSLOT,
} from '../sim/simLayout.ts';
import { clearPageFlags } from '../mm/pageFlags.ts';
import { el2Section, extendMmuHold } from './hypLock.ts';
import { PAGE } from './userMemAbort.ts';

/**
 * The MMU lock for a short section booked from `trapped` (an access-flag or permission fault: one
 * descriptor update), for read, or for write when `write` (a permission fault under pKVM): its wait,
 * and the part of it behind aging, go to the guest's stats. Returns the hold's start.
 */
function lockSection(g: Guest, trapped: number, hold: number, write: boolean): number {
  const start = write ? g.vlock.write(trapped, hold, false) : g.vlock.read(trapped, hold, false);
  g.stats[g.sb + GS_LOCK_WAIT_NS] += start - trapped;
  g.stats[g.sb + GS_LOCK_WAIT_AGING_NS] += g.vlock.agingWaitNs;
  return start;
}

/**
 * Access-flag fault (no FEAT_HAFDBS): trap, MMU lock for read, mkyoung, return. handle_access_fault takes
 * read_lock even under pKVM in 6.14+ (not kvm_fault_lock), and the pkvm profile has FEAT_HAFDBS: its
 * __pkvm_host_mkyoung_guest HVC is not charged (not taken there).
 */
export function afFault(g: Guest, gfn: number, t: number): number {
  const s = g.stats;
  const sb = g.sb;
  const c = g.costs;
  const trapped = t + c[C_AF_FAULT];
  const hold = c[C_LOCK_ACQUIRE] + c[C_CMPXCHG];
  const start = lockSection(g, trapped, hold, false);
  readLock(g.lock);
  stage2Mkyoung(g.pgt, gfn * PAGE);
  readUnlock(g.lock);
  const end = start + hold;
  s[sb + GS_LOCK_HOLD_NS] += hold;
  s[sb + GS_AF_FAULTS]++;
  s[sb + GS_STALL_NS] += end - t;
  // AF was clear because aging harvested it (with mapYoung): unconstrained, nothing clears AF.
  s[sb + GS_PRESSURE_NS] += end - t;
  return end;
}

/**
 * Permission fault on a write to a page mapped read-only: user_mem_abort's relax path
 * (kvm_pgtable_stage2_relax_perms, S2AP W) under kvm_fault_lock: the read lock, or under pKVM (6.14+) the
 * write lock around pkvm_pgtable_stage2_relax_perms's HVC, __pkvm_host_relax_perms_guest (mapHvcNs, moved
 * from the trap as for the map).
 */
export function permFault(g: Guest, gfn: number, t: number): number {
  const s = g.stats;
  const sb = g.sb;
  const c = g.costs;
  const trapped = t + g.s2TrapNs;
  const hold = c[C_LOCK_ACQUIRE] + g.mapHvcNs + c[C_CMPXCHG];
  const start = lockSection(g, trapped, hold, g.faultWrite);
  s[sb + GS_PRESSURE_NS] += start - trapped;
  readLock(g.lock);
  stage2SetWritable(g.pgt, gfn * PAGE);
  readUnlock(g.lock);
  // The host side (kvm/faultinWritable.ts): GUP FOLL_WRITE -> do_wp_page, which for the PageAnonExclusive
  // folio of a swap-in goes straight to `reuse:` -> wp_page_reuse (mm/memory.c, read in 6.3): the PTE made
  // writable and dirty, no folio_free_swap (that call is on the non-exclusive path only). A folio kept in the
  // swap cache by the read swap-in (PG_SWAPSLOT) stays there with its slot, now dirty: its eviction writes.
  if ((g.flags[gfn] & PG_SWAPSLOT) !== 0) clearPageFlags(g.flags, gfn, PG_SWAPSLOT);
  let end = start + hold;
  const guest = g.hypGuestLock;
  if (guest !== null) {
    // pKVM: __pkvm_host_relax_perms_guest takes the VM's guest_lock_component (not the host's) around
    // kvm_pgtable_stage2_relax_perms: the walk (carved from the HVC) and the cmpxchg (kvm/hypLock.ts).
    const wait = el2Section(
      null,
      guest,
      start + c[C_LOCK_ACQUIRE] + g.mapHvcNs - g.el2LookupNs,
      g.el2LookupNs + c[C_CMPXCHG],
    );
    if (wait > 0) {
      s[sb + GS_LOCK_HOLD_NS] += wait;
      end = g.faultWrite ? extendMmuHold(g.vlock, guest, end, wait, false) : end + wait;
    }
  }
  s[sb + GS_LOCK_HOLD_NS] += hold;
  s[sb + GS_PERM_FAULTS]++;
  s[sb + GS_STALL_NS] += end - t;
  return end;
}
