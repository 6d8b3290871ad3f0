/**
 * MGLRU's mm list state of the pass under way and its wait queue (mm/vmscan.c 6.1-6.3: lruvec->mm_state,
 * iterate_mm_list, try_to_inc_max_seq's wait_event_killable on mm_state.wait and the last walker's
 * wake_up_all): the walkers a pass may have (joinWalk), and when a reclaimer that finds the pass under
 * way is woken (walkEnd). The layer of MglruAging (mglruAging.ts, which walks and ends the pass) over
 * MglruGens (mglruGen.ts).
 *
 * Kernel (read for session 15 (f) with the search tool: try_to_inc_max_seq and iterate_mm_list in a 6.3
 * tree's mm/vmscan.c, a 6.1 reading copy of the same functions, and 7f63cf2d9b9b's diff, whose removed
 * lines are the 6.3 text): a further caller of try_to_inc_max_seq for the max_seq under walk, or one
 * arriving after mm_state->seq reached max_seq (`max_seq <= READ_ONCE(lruvec->mm_state.seq)`: straight to
 * `done`), ends with success false; then
 *     if (sc->priority <= DEF_PRIORITY - 2)
 *         wait_event_killable(lruvec->mm_state.wait, max_seq < READ_ONCE(lrugen->max_seq));
 *     return max_seq < READ_ONCE(lrugen->max_seq);   (6.1; `return false` in 6.3)
 * and the last walker, after inc_max_seq: `if (wq_has_sleeper(&lruvec->mm_state.wait))
 * wake_up_all(&lruvec->mm_state.wait)`. At DEF_PRIORITY get_nr_to_scan skips the aging path and at
 * DEF_PRIORITY - 1 the caller returns without waiting: the lruvec gets nothing to scan (6.1-6.2: `done:`
 * returns nr_to_scan only with more than MIN_NR_GENS generations; 6.3: `return try_to_inc_max_seq(..) ?
 * -1 : 0`, try_to_shrink_lruvec breaks on <= 0), do_try_to_free_pages lowers the priority, and from
 * DEF_PRIORITY - 2 the caller sleeps until the new generation. After the wake-up, 6.1 returns true and
 * get_nr_to_scan returns nr_to_scan (total >> priority, computed before the "out of cold folios" test in
 * 6.1-6.2's should_run_aging), so evict_folios runs in the same call; 6.3 returns 0 and the next priority's
 * shrink_node evicts. Either way the reclaimer evicts from the new generation next: the lab's cluster goes
 * on (mm/directReclaim.ts). 6.2's try_to_inc_max_seq was not read (no 6.2 tree in the corpus); its
 * get_nr_to_scan is in the "remove aging fairness safeguard" patch's removed lines (Dec 2022).
 *
 * The kernel's further callers of try_to_inc_max_seq for the same max_seq differ by version
 * (iterate_mm_list, mm/vmscan.c):
 * 6.1-6.3: each takes the next unwalked mm (mm_state->head) and walks it (nr_walkers counts them); one
 * left without an mm returns false (after wait_event_killable for the new max_seq at priority <=
 * DEF_PRIORITY - 2), and the last walker to finish (nr_walkers back to 0) calls inc_max_seq.
 * 6.4+ (7f63cf2d9b9b "mm: Multi-gen LRU: remove wait_event_killable()", in the 6.4-rc1 mm pull; also in
 * later 6.1.y): no nr_walkers and no wait. Each caller still takes the next mm after mm_state->head,
 * but whoever moves head past the list's end (a walker done with its mm, or a caller arriving while
 * the last mm is being walked) increments mm_state->seq and returns true, and try_to_inc_max_seq calls
 * inc_max_seq at once; the other walkers' walk_mm sees max_seq moved at its next batch ("another
 * thread might have called inc_max_seq()") and stops. Only a caller arriving after that returns false
 * (try_to_inc_max_seq: max_seq <= mm_state->seq), and it does not wait: get_nr_to_scan skips the lruvec.
 * Modelled: 6.1-6.3's joining (joinWalk) and wait (walkEnd, mm/shrinkNode.ts mmWalkWait), whose walkers
 * all finish their mm before the generation opens, so the walked pages' generation is the one the lab's
 * single-walker pass gives them. Each walker walks one mm (a VM: Reclaimer.mmEnd) at a time; a direct
 * reclaimer whose eviction needs a generation while kswapd's pass runs in steps takes the mms no walker
 * holds, walks them inline, and gets no victim; kswapd, done with its mm, finds the next unheld one or
 * none, and as the last walker calls inc_max_seq at the later of its clock and the joiners' walk ends,
 * and wakes mm_state.wait (Reclaimer.mmWalkDone). With one mm per lruvec (a single guest, or per-guest
 * memcgs) no one can join. One worker only: spread runs keep the one-walker pass (joinWalk). A spread run's
 * reclaimer sleeps on every worker (session 15 (j)): on worker 0, whose kswapd runs the pass, its
 * wake_up_all wakes it at once; on the others the worker wakes it at its next quantum start once the shared
 * gate shows the pass ended (walkPass, walkIncAt; mm/reclaimThrottle.ts mmWalkSettle). Not modelled:
 * 6.4+'s early end, kswapd joining a direct reclaimer's inline walk, and walk_pud_range's return when
 * mm_state.wait has a sleeper ("a racy check to curtail the waiting time", 6.1-6.3), which ends a
 * walker's mm early but is checked once per PUD (1 GiB of the VMM's address space): at most once in a
 * preset guest's memory (seed-debate's are 384 MiB, the 64-vCPU bench's at most 1 GiB).
 */
import type { Reclaimer } from './policy.ts';
import { MglruGens, WALK_SEQ } from './mglruGen.ts';

export abstract class MglruMmList extends MglruGens {
  /** folio_update_gen, the walk's promotion (MglruAging.promote): `this` is the walk's Promoter. */
  abstract promote(id: number): void;

  /**
   * lruvec->mm_state of 6.1-6.3 for the pass under way (iterate_mm_list): `mmHead` is mm_state->head, the
   * first id of the next mm no walker has taken (this.end: every mm handed out, i.e. mm_state->seq has
   * reached max_seq), `nrWalkers` mm_state->nr_walkers. The mms are the VMs whose ids the lruvec holds
   * (Reclaimer.mmEnd), in the order they were added (mm_list->fifo). Plain fields of this object: joining
   * (joinWalk) happens in one-worker runs only, where one object serves every reclaimer; in a spread run
   * each pass has one walker (as before), so its own object's fields are consistent.
   */
  protected mmHead = 0;
  protected nrWalkers = 0;
  /**
   * The latest virtual time at which a walker that was not the last one finished its mms: the last
   * walker's inc_max_seq is at the later of its own clock and this (the walkers run concurrently; the
   * kernel's last walker is the last to finish in time, which in the lab's data order need not be the
   * last to run its code).
   */
  protected walkersDoneAt = -Infinity;

  /**
   * try_to_inc_max_seq's wait for a reclaimer at virtual time t that found the walk under way (6.1-6.3:
   * wait_event_killable on lruvec->mm_state.wait until max_seq moves), Policy.walkEnd: the walk's virtual
   * end when it is known (a direct reclaimer's inline pass, complete in the data: agingGate.ts walkEnd);
   * +Infinity while kswapd's pass runs in steps, whose end is not known yet: the reclaimer sleeps on the
   * queue until the last walker's wake_up_all (Reclaimer.mmWalkDone) sets its clock (only a sleeper on
   * the walker's worker: mm/shrinkNode.ts mmWalkWait); -1 when no walk is under way at t.
   */
  walkEnd(t: number): number {
    const e = this.gate.walkEnd(t);
    return e < 0 && this.gate.running ? Infinity : e;
  }

  /** Policy.walkPass: the pass under way in the data (its start time), or -1 (AgingGate.runningPass). */
  walkPass(): number {
    return this.gate.runningPass;
  }

  /** Policy.walkIncAt: the last pass's inc_max_seq time, -Infinity before any (AgingGate.lastIncAt). */
  walkIncAt(): number {
    return this.gate.lastIncAt;
  }

  /** The end of the mm holding `id`, within this lruvec (Reclaimer.mmEnd; none: the lruvec is one mm). */
  protected mmEndOf(r: Reclaimer, id: number): number {
    const e = r.mmEnd?.(id) ?? this.end;
    return e < this.end ? e : this.end;
  }

  /**
   * A further caller of try_to_inc_max_seq for the max_seq under walk (mm/vmscan.c 6.1-6.3): a direct
   * reclaimer (r, at r.t) whose eviction needs a generation while kswapd's pass runs in steps. Its
   * iterate_mm_list takes mm_state->head, the next mm no walker holds (nr_walkers++), and walk_mm walks it;
   * then the next, until head reaches the list's end (mm_state->seq = max_seq); then nr_walkers--, and
   * as kswapd still holds its mm this caller is not the last: try_to_inc_max_seq returns false (its wait,
   * wait_event_killable on mm_state.wait, is the caller's: allocFrame). Its walk runs inline, within this
   * call, with its own walk state (its lru_gen_mm_walk) and r.t advanced to its end, which the last
   * walker's inc_max_seq will not precede (walkersDoneAt). Returns whether it walked (r.joinedWalk is set).
   * One worker only (lru_lock null): in a spread run the walk cursor is not shared between the workers'
   * objects, and a caller there finds the walk under way and gets no victim, as before. Not modelled:
   * kswapd joining a direct reclaimer's walk (that walk is complete in the data within one call; kswapd
   * meanwhile waits for its end, mm/shrinkNode.ts mmWalkWait), should_skip_mm, and walk_pud_range's
   * early return when mm_state.wait has a sleeper (see the file comment).
   */
  protected joinWalk(r: Reclaimer): boolean {
    if (this.lruLock !== null || !this.gate.running) return false;
    // iterate_mm_list: walk->max_seq <= mm_state->seq (every mm handed out, or a stale max_seq): no mm.
    if (this.maxSeq !== this.state[WALK_SEQ] || this.mmHead >= this.end) return false;
    this.nrWalkers++;
    while (this.mmHead < this.end) {
      const start = this.mmHead;
      const stop = this.mmEndOf(r, start);
      this.mmHead = stop;
      r.walk(start, stop, this); // walk_mm of this mm
    }
    this.nrWalkers--; // > 0: kswapd, whose pass is running, still holds its mm
    if (r.t > this.walkersDoneAt) this.walkersDoneAt = r.t;
    r.joinedWalk = true;
    return true;
  }
}
