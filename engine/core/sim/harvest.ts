/**
 * Harvesting the stage-2 accessed flag for reclaim, in the configured harvest mode
 * (DESIGN.md "Harvest modes"). Every policy reads AF only through a Harvester, so the mode decides
 * what it costs and who waits:
 *
 *   lockless      rcuReadLock + testClearYoung (cmpxchg), no MMU lock: vCPU faults never wait on it.
 *   locked-write  the same walk under the MMU lock for write: vCPU faults (read lock) wait.
 *   locked-read   under the MMU lock for read: faults proceed, evictions (write) wait.
 *   hypercall     pKVM, non-protected guest: one hypercall per mapping, under the lock for write;
 *                 the hypervisor does the test-and-clear (we run testClearYoung on its behalf).
 *   none          no accessed information: every page looks old (protected guests are pinned anyway).
 *
 * Time: the caller sets `t` (its virtual clock), calls lockBegin / test* / lockEnd, and reads `t`
 * back. Costs come from the hardware profile; counters go to the guest's stats.
 * Contract: test* calls happen between lockBegin and lockEnd (one "hold"); a hold over many windows
 * is how an aging pass batches 512 pages per lock acquisition.
 */
import { assertNever, type HarvestMode } from '../../protocol.ts';
import { readLock, readUnlock, writeLock, writeUnlock } from '../mmuLock.ts';
import { rcuReadLock, rcuReadUnlock } from '../rcu.ts';
import { newTestClearYoungStats, testClearYoung } from '../testClearYoung.ts';
import { C_CMPXCHG, C_HYPERCALL, C_LOCK_ACQUIRE, C_PTE_SCAN, C_TLB_INVALIDATE } from './costs.ts';
import type { Guest } from './guest.ts';
import {
  GS_AGING_NS,
  GS_CMPXCHG_FAIL,
  GS_HYPERCALLS,
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_NS,
  GS_PTES_SCANNED,
  GS_TLBI,
  GS_YOUNG_FOUND,
  PG_RESIDENT,
} from './simLayout.ts';

const M_LOCKLESS = 0;
const M_LOCKED_WRITE = 1;
const M_LOCKED_READ = 2;
const M_HYPERCALL = 3;
const M_NONE = 4;

function modeCode(m: HarvestMode): number {
  switch (m) {
    case 'lockless':
      return M_LOCKLESS;
    case 'locked-write':
      return M_LOCKED_WRITE;
    case 'locked-read':
      return M_LOCKED_READ;
    case 'hypercall':
      return M_HYPERCALL;
    case 'none':
      return M_NONE;
    default:
      return assertNever(m, 'harvest mode');
  }
}

export class Harvester {
  /** The calling actor's virtual clock (ns). */
  t = 0;
  /** Young pages found by the last testClearYoungWindow, bit i = gfn start + i (two words). */
  readonly young = new Uint32Array(2);
  /** Whether the last testClearYoungOne found the page young. */
  private readonly mode: number;
  private readonly bitmap = new Uint32Array(2);
  private readonly tcy = newTestClearYoungStats();
  private holdStart = 0;
  private startedAt = 0;

  constructor(
    private readonly g: Guest,
    mode: HarvestMode,
  ) {
    this.mode = modeCode(mode);
  }

  /** True when this mode gives accessed information at all. */
  get informative(): boolean {
    return this.mode !== M_NONE;
  }

  /** Start a hold: the MMU lock (locked, hypercall modes) or an RCU read-side section (lockless). */
  lockBegin(): void {
    const g = this.g;
    this.startedAt = this.t;
    switch (this.mode) {
      case M_LOCKLESS:
        rcuReadLock(g.rcu);
        break;
      case M_LOCKED_WRITE:
      case M_HYPERCALL: {
        const granted = g.vlock.writeStart(this.t);
        g.stats[g.sb + GS_LOCK_WAIT_NS] += granted - this.t;
        this.t = granted + g.costs[C_LOCK_ACQUIRE];
        writeLock(g.lock);
        break;
      }
      case M_LOCKED_READ: {
        const granted = g.vlock.readStart(this.t);
        g.stats[g.sb + GS_LOCK_WAIT_NS] += granted - this.t;
        this.t = granted + g.costs[C_LOCK_ACQUIRE];
        readLock(g.lock);
        break;
      }
      default:
        break;
    }
    this.holdStart = this.t;
  }

  /** End the hold started by lockBegin; publishes the virtual release and charges aging time. */
  lockEnd(): void {
    const g = this.g;
    switch (this.mode) {
      case M_LOCKLESS:
        rcuReadUnlock(g.rcu);
        break;
      case M_LOCKED_WRITE:
      case M_HYPERCALL:
        writeUnlock(g.lock);
        g.vlock.writeRelease(this.holdStart, this.t, true);
        g.stats[g.sb + GS_LOCK_HOLD_NS] += this.t - this.holdStart;
        break;
      case M_LOCKED_READ:
        readUnlock(g.lock);
        g.vlock.readRelease(this.holdStart, this.t, true);
        g.stats[g.sb + GS_LOCK_HOLD_NS] += this.t - this.holdStart;
        break;
      default:
        break;
    }
    g.stats[g.sb + GS_AGING_NS] += this.t - this.startedAt;
  }

  /**
   * Test and clear AF of gfns [start, start + count), count <= 64, inside a hold. Afterwards
   * `young` holds the pages that were young (their AF is now clear). Mode 'none': nothing is young.
   */
  testClearYoungWindow(start: number, count: number): void {
    const y = this.young;
    y[0] = 0;
    y[1] = 0;
    if (this.mode === M_NONE) return;
    const g = this.g;
    const b = this.bitmap;
    // Ask for every gfn of the window to be cleared: bit (lsb - gfn) set. Young leaves toggle
    // their bit to 0 (and get AF cleared); old or invalid leaves leave it set.
    const lsb = start + count - 1;
    b[0] = count >= 32 ? 0xffffffff : (1 << count) - 1;
    b[1] = count > 32 ? (count >= 64 ? 0xffffffff : (1 << (count - 32)) - 1) : 0;
    const st = this.tcy;
    st.scanned = 0;
    st.young = 0;
    st.cleared = 0;
    st.casFailures = 0;
    testClearYoung(g.pgt, start, start + count, lsb, b, st);
    const costs = g.costs;
    if (this.mode === M_HYPERCALL) {
      // The host cannot read the hypervisor's table: one hypercall per mapped page.
      let mapped = 0;
      for (let i = 0; i < count; i++) if ((g.flags[start + i] & PG_RESIDENT) !== 0) mapped++;
      this.t += mapped * costs[C_HYPERCALL];
      g.stats[g.sb + GS_HYPERCALLS] += mapped;
    } else {
      this.t += st.scanned * costs[C_PTE_SCAN] + (st.cleared + st.casFailures) * costs[C_CMPXCHG];
    }
    g.stats[g.sb + GS_PTES_SCANNED] += st.scanned;
    g.stats[g.sb + GS_YOUNG_FOUND] += st.cleared;
    g.stats[g.sb + GS_CMPXCHG_FAIL] += st.casFailures;
    if (st.cleared === 0) return;
    for (let i = 0; i < count; i++) {
      const n = lsb - (start + i);
      if ((b[n >>> 5] & (1 << (n & 31))) === 0 && (g.flags[start + i] & PG_RESIDENT) !== 0) {
        y[i >>> 5] |= 1 << (i & 31);
        if (g.tlbs !== null && g.flushOnClear) {
          g.tlbs.invalidate(start + i);
          this.t += costs[C_TLB_INVALIDATE];
          g.stats[g.sb + GS_TLBI]++;
        }
      }
    }
  }

  /** Test and clear AF of one page, in a hold of its own. True when it was young. */
  testClearYoungOne(gfn: number): boolean {
    if (this.mode === M_NONE) return false;
    this.lockBegin();
    this.testClearYoungWindow(gfn, 1);
    this.lockEnd();
    return (this.young[0] & 1) !== 0;
  }
}
