/**
 * Relations between a scenario's sections, checked once each section involved is structurally valid:
 *  - harvest mode vs hardware (hypercall only under pKVM; pKVM hosts cannot read the hypervisor's
 *    stage-2, so no lockless or locked walk; lockless without FEAT_HAFDBS only as the explicit what-if);
 *  - protected guests only under pKVM, and their pinned memory must fit in the host;
 *  - overcommit (guests' memory > host memory) needs a swap device big enough for the excess;
 *  - each workload's pages fit in its guest; guest names are unique;
 *  - a closed-loop client's warm-up ends before the run does.
 * `root` is the scenario's own path (problem paths are under it); every problem is a relation
 * (Problems.addRelation), so none is recorded when only the structure is checked.
 */
import type { GuestSpec, HardwareProfile, HostSpec, ReclaimSpec } from '../../protocol.ts';
import { MAX_TABLE_PAGES } from '../layout.ts';
import { tablePagesFor } from '../sim/plan.ts';
import { PAGES_PER_MIB, mibToPages } from './limits.ts';
import { guestPath } from './fields.ts';
import { joinPath, type Problems } from './problems.ts';
import { fmtCount, fmtExact, fmtFixed } from '../../numberFormat.ts';

/** What the caller knows about traces (name -> distinct pages); unknown traces are then errors. */
export interface TraceInfo {
  [name: string]: { distinct: number };
}

export function checkHarvest(problems: Problems, root: string, hw: HardwareProfile, reclaim: ReclaimSpec): void {
  const at = joinPath(root, 'reclaim.harvest');
  const mode = reclaim.harvest;
  const on = `hardware '${hw.id}'`;
  switch (mode) {
    case 'lockless':
      if (hw.pkvm)
        problems.addRelation(
          at,
          `'lockless' is impossible on ${on} (pkvm): the host cannot read the hypervisor's stage-2; use 'hypercall' or 'none'`,
        );
      else if (!hw.hafdbs && !reclaim.allowLocklessWithoutHafdbs)
        problems.addRelation(
          at,
          `'lockless' needs FEAT_HAFDBS, which ${on} lacks; set reclaim.allowLocklessWithoutHafdbs for the reviewer's what-if, or use 'locked-write'`,
        );
      return;
    case 'locked-write':
    case 'locked-read':
      if (hw.pkvm)
        problems.addRelation(
          at,
          `'${mode}' is impossible on ${on} (pkvm): the host cannot read the hypervisor's stage-2; use 'hypercall' or 'none'`,
        );
      return;
    case 'hypercall':
      if (!hw.pkvm) problems.addRelation(at, `'hypercall' aging exists only under pKVM; ${on} has pkvm: false`);
      return;
    case 'none':
      return;
    default: {
      const never: never = mode;
      throw new Error(`unexpected harvest mode ${String(never)}`);
    }
  }
}

export function checkProtectedNeedsPkvm(
  problems: Problems,
  root: string,
  hw: HardwareProfile,
  guests: readonly GuestSpec[],
): void {
  guests.forEach((g, i) => {
    if (g.protected && !hw.pkvm)
      problems.addRelation(
        `${guestAt(root, i, g)}.protected`,
        `protected guests exist only under pKVM; hardware '${hw.id}' has pkvm: false`,
      );
  });
}

export function checkMemory(problems: Problems, root: string, host: HostSpec, guests: readonly GuestSpec[]): void {
  const total = sum(guests.map((g) => g.memoryMiB));
  // The engine's stage-2 table arena has a fixed maximum (layout.ts MAX_TABLE_PAGES): refuse here,
  // naming the field, what the engine would otherwise refuse with an internal arena message.
  const tables = tablePagesFor(guests.map((g) => mibToPages(g.memoryMiB)));
  if (tables > MAX_TABLE_PAGES)
    problems.addRelation(
      joinPath(root, 'guests'),
      `guests total ${fmt(total)} MiB, which needs ${fmtCount(tables)} stage-2 table pages; the engine holds at most ${fmtCount(MAX_TABLE_PAGES)} (about ${fmtCount(Math.floor((MAX_TABLE_PAGES / 1.1) * 2))} MiB of guest memory in all)`,
    );
  const pinned = sum(guests.filter((g) => g.protected).map((g) => g.memoryMiB));
  const others = guests.some((g) => !g.protected);
  if (pinned > host.memoryMiB || (others && pinned >= host.memoryMiB))
    problems.addRelation(
      joinPath(root, 'guests'),
      `protected guests pin ${fmt(pinned)} MiB, which does not fit in the host's ${fmt(host.memoryMiB)} MiB` +
        (others ? ' with room left for the other guests' : ''),
    );
  if (total <= host.memoryMiB) return;
  const excess = total - host.memoryMiB;
  const pct = Math.round((total / host.memoryMiB) * 100);
  const what = `guests total ${fmt(total)} MiB on a ${fmt(host.memoryMiB)} MiB host (${pct}% of host memory)`;
  if (host.swap.device === 'none')
    problems.addRelation(
      joinPath(root, 'host.swap.device'),
      `${what} but swap is 'none': evicted pages would have nowhere to go; use 'zram' or 'ssd'`,
    );
  else if (host.swap.sizeMiB < excess)
    problems.addRelation(
      joinPath(root, 'host.swap.sizeMiB'),
      `${fmt(host.swap.sizeMiB)} MiB is too small: ${what} needs at least ${fmt(excess)} MiB of swap`,
    );
}

export function checkGuests(problems: Problems, root: string, guests: readonly GuestSpec[], traces?: TraceInfo): void {
  const seen = new Map<string, number>();
  guests.forEach((g, i) => {
    const first = seen.get(g.name);
    if (first !== undefined)
      problems.addRelation(`${guestAt(root, i, g)}.name`, `duplicate guest name '${g.name}' (also guests[${first}])`);
    else seen.set(g.name, i);
    const capacity = mibToPages(g.memoryMiB);
    const w = g.workload;
    const at = `${guestAt(root, i, g)}.workload`;
    if (w.kind === 'trace') {
      if (!traces) return;
      const info = Object.prototype.hasOwnProperty.call(traces, w.trace) ? traces[w.trace] : undefined;
      if (!info)
        problems.addRelation(
          `${at}.trace`,
          `unknown trace '${w.trace}' (known: ${Object.keys(traces).join(', ') || 'none'})`,
        );
      else if (info.distinct > capacity)
        problems.addRelation(
          `${at}.trace`,
          `trace '${w.trace}' touches ${fmtCount(info.distinct)} pages, more than the guest's ${fmtCount(capacity)} (${fmt(g.memoryMiB)} MiB)`,
        );
    } else if (w.pages > capacity) {
      problems.addRelation(
        `${at}.pages`,
        `${fmtCount(w.pages)} pages (${fmt(w.pages / PAGES_PER_MIB)} MiB) do not fit in the guest's ${fmt(g.memoryMiB)} MiB (${fmtCount(capacity)} pages)`,
      );
    }
  });
}

/** A closed-loop client's warm-up must leave part of the run measured. */
export function checkClientWarmup(
  problems: Problems,
  root: string,
  guests: readonly GuestSpec[],
  durationMs: number,
): void {
  guests.forEach((g, i) => {
    const w = g.workload.client?.warmupMs;
    if (w !== undefined && w >= durationMs)
      problems.addRelation(
        `${guestAt(root, i, g)}.workload.client.warmupMs`,
        `${fmtExact(w)} ms leaves nothing of the ${fmtExact(durationMs)} ms run to measure; must be < run.durationMs`,
      );
  });
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** MiB in a message, grouped as every figure the lab prints (engine/numberFormat.ts): '1,049,600'. */
function fmt(mib: number): string {
  return fmtFixed(mib, Number.isInteger(mib) ? 0 : 2);
}

/** Guest `i`'s path with its name (`guests[2] 'cache'`), as the structure checks write it (fields.ts guestPath). */
function guestAt(root: string, i: number, g: GuestSpec): string {
  return guestPath(joinPath(root, 'guests'), i, g);
}
