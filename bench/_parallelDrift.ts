// Diagnostics (not a bench): where a parallel (2-worker spread) run's hit rate drifts from the deterministic
// run's over virtual time. Modes per seed: det (1 worker, deterministic), par (2 real worker threads, spread),
// 1t (the same spread plan run on ONE thread, quantum by quantum, worker order alternating: the spread
// model without real races). Prints the summary counters and each 50 ms window's hit rate / evictions /
// free frames. 1t only: QNS (quantum ns), PERW=1 (per-worker MMU-lock calendars), ORDER=01|10 (the same worker
// order every quantum), AFFINE=1 (whole guests per worker), NOBUDGET=1 (no frame budgets: the shared free count
// checked at each fault), W0WEIGHT. Modes also d1 (the deterministic run in this process, same figures as det).
// Env: GUESTWIN (ms: per-guest windows, d1/1t), GUESTS (4), MS (600), SEEDS (3), SEED0 (1), MODES (det,par,1t), SAMPLEMS (window, 50), NOTLB=1 (no TLB, all modes).
// Session 11 (s11-a2): separating the 1t (1 ms quanta) gap at 200 ms, 4 guests, seeds 1/2/3. The gap has two parts.
// (1) Regime: det stalls every vCPU from ~20 to ~128 ms (SAMPLEMS=5) at the first MGLRU aging walk (begins at
// 19.0 ms, max_seq 1 -> 2; next walks at 129.5 and 179.5 ms in det and 1t alike); a 1t run either keeps that stall
// (~2.7 M accesses) or escapes it (4.8 M accesses, e.g. base seed 2), and the summary hit rate follows the regime.
// (2) After the stall, every 1t variant that keeps both workers' vCPUs trails det in the 150-200 ms window, with
// more refaults: that is the systematic part. Columns: summary hit % (accesses) | 150-200 ms window hit % (refaults).
//   det (d1)           91.85 (2.96 M) 91.79 (2.95 M) 91.88 (2.96 M) | 96.20 (16.9 k) 96.12 (17.6 k) 96.25 (16.4 k)
//   1t base            90.67 (2.67 M) 92.40 (4.83 M) 90.74 (2.72 M) | 94.25 (25.1 k) 94.60 (40.9 k) 94.26 (26.8 k)
//   ORDER=01           90.72 90.66 90.70                               | 94.19 94.22 94.21 (order is not it)
//   PERW=1             91.38 92.74 91.42 (3.3-5.8 M)                   | 94.32 94.59 94.39 (lock wait 1.73 -> 0.37 s: not it)
//   AFFINE=1           92.13 91.94 89.97                               | 94.91 94.71 94.11
//   NOBUDGET=1         92.42 92.37 92.39 (all 4.8 M)                   | 94.60 94.57 94.57
//   NOTLB=1 (det)      95.50 95.53 94.29 | 98.60 98.45 95.88; 1t: 92.46 92.41 92.46 | 94.61 94.55 94.62 (TLB is not it)
//   W0WEIGHT=1000      91.87 91.81 91.93                               | 96.25 96.15 96.31 (one worker's vCPUs: exact)
//   W0WEIGHT=0.0001    93.39 93.69 94.28 (5.4-6.1 M: no stall at 20 ms; kswapd alone on worker 0, a stall at ~190 ms)
//   QNS=100000         91.00 91.13 91.08                               | 94.61 94.95 94.76
//   QNS=50000          91.37 91.32 91.11                               | 95.35 95.30 94.75
//   QNS=20000          91.89 91.83 91.51                               | 96.29 96.22 95.42
// Who begins the first walk decides the regime (temporary logs in kswapd.ts / mglruEvict.ts, not kept): det
// seeds 1/2 and 1t seed 1: kswapd at 19.0 ms, in steps (the vCPUs meanwhile find the walk under way: no victim,
// stall until it ends at ~128 ms); 1t seed 2 and W0WEIGHT=0.0001: a vCPU's direct reclaim at 19.28 ms on worker 1,
// which ran first in that quantum and claimed the gate before kswapd's earlier virtual time; its walk runs
// inline, and the other reclaimers find it complete at once: no stall. (Det itself has that asymmetry: the
// second walk, at 129.5 ms, is a direct reclaimer's inline walk, which nobody sees under way.)
// Refaults whose fault precedes the page's eviction in virtual time (an unmap seen "from the future"; counted
// with a temporary hack in userMemAbort, not kept), seed 1: det 6 of 22,932, 1t 220 of 31,433; within 1 ms of
// the eviction 1,709 vs 1,952. So the extra refaults are long-distance: reclaim evicts pages that are needed
// again later, i.e. the generations / list order or the accessed bits reclaim reads differ, not causality
// violations of the unmap. Not separated (no per-worker variant exists for them): the accessed bits that a
// reclaimer on one worker tests while the other worker's vCPUs of the same quantum have (or have not yet)
// set them, and the order pages join and leave the shared lruvec's generations.
// Session 9 (s9-a2), per-worker frame budgets above min instead of the deferred min watermark (commit d8ba2ee,
// reverted after it): parallel - det hit rate at 600 ms, seeds 1/2/3, two real runs each: before -1.44/-2.18/-1.64,
// -1.28/-1.85/-1.75; after -1.78/-1.37/-0.92, -0.25/-1.63/-0.37. 1000 ms: before -0.97/-1.14/-1.11, -0.69/-1.02/-0.70;
// after -0.36/-0.88/-0.26, -0.53/-0.10/-0.48 (load 4-10). 1t at 600 ms: before -0.77/-1.70/-0.96, after
// -1.96/-2.64/-2.11; 1t seeds 1/2/3 with QNS=200000: before -2.13/-2.82/-2.15, after -0.53/-0.72/-0.69 (the rest of
// the budgets' bias shrinks with the quantum, the deferral's does not: the workers' virtual times mixed on the
// shared lruvec and calendar within a quantum, not frames). W0WEIGHT=1000, seed 1, after: -0.31 (one-worker rule).
// Session 11 (s11-a): per-worker frame budgets replace the deferred min watermark, with the low / high watermark
// checks on the most spent worker's scaled budget (HostFrames.wmarkFree). par - det hit rate, pp, 4 guests, seeds 1/2/3
// (load 5-23): 200 ms before -1.07/-1.03/-1.07, after -1.08/-1.09/-1.09; 600 ms before -4.09/-3.97/-3.17, after
// -2.68/-1.88/-2.93. 1t (1 ms quanta) 200 ms before -1.10/-1.03/-1.10, after -1.18/+0.61/-1.14 (+0.61: a run with
// 4.8 M accesses against 3.0 M, no all-vCPU stall at the first aging walk). 1 guest: 200 ms before -0.02/+0.02/0.00,
// after -0.05/-0.07/-0.06; 600 ms before -0.02/-0.01/0.00, after -0.08/-0.08/-0.08; 1t 200 ms after +1.32/+1.35/+1.36
// (before within 0.02). W0WEIGHT=1000, 200 ms seed 1: before 91.04 %, after 91.87 % (det 91.85 %). The budgets
// converge with the quantum, the deferral does not (1t, seed 1, QNS=20000): 200 ms before 90.67 %, after 91.89 %
// (det 91.85); 600 ms before 93.66 %, after 98.27 % (det 98.27). QNS=100000: after 91.00 %. What is left at 1 ms is
// the workers' virtual times mixing within a quantum; real 2 workers with the plan's quantum cut to 20 us (plan.ts
// MAX_QUANTUM_NS, a trial build): 200 ms seed 1 -0.06; 600 ms -0.08/-0.22/+0.08 (100 us: 200 ms seed 1 -0.96). Not
// kept: bench engine (2 rounds, load 16-22) then predicts a 2-worker speed-up of 0.85 (4 guests) / 0.64 (1 guest),
// against 1.43 / 0.97 with 1 ms quanta (2-worker CPU in all 6,220 against 3,203 ms, 4 guests; agreement +0.04/-0.01
// and -0.01/-0.08 pp). Speed-up with the budgets at 1 ms, 4 guests: rounds 1.50, 1.37, 1.47, 1.50 (main 1.49, 1.10);
// 1 guest 1.24, 0.71, 0.75, 0.95, 1.09, 0.97, 1.26 (main 1.24, 1.10, 1.25, 1.50, 0.89): noisy at this load.
// Session 12 (s12-a): a walk's inc_max_seq at the walker's virtual time (agingGate.ts; reclaimers before it see the walk
// under way and sleep until it, mglruWalkVirtualEnd.test.ts). MODES=d1,1t,par, 4 guests, seeds 1/2/3, load 14-19, before
// (06bccdc) -> after. 200 ms: det 91.85/91.79/91.88 -> 91.50/91.29/91.46; 1t - det -1.18/+0.61/-1.14 -> -0.88/-0.61/-0.83
// (seed 2's escape, 4.83 M accesses, is gone: 2.70 M); par - det -1.07/-1.05/-1.12 -> -0.86/-0.66/-0.78 (mean -1.08 ->
// -0.76). 600 ms: det 98.27/98.31/98.15 -> 98.29/97.69/98.04; 1t - det -4.29/-4.78/-2.24 -> -3.05/-2.95/-2.08; par - det
// -2.66/-3.00/-2.30 -> -2.40/-1.23/-2.70 (mean -2.65 -> -2.11). At 600 ms det makes about twice the spread runs' accesses
// (17-23 M against 9-13 M): a regime difference left after this change.
// Session 12 (s12-h): the 600 ms, 4-guest gap is not who claims the aging walk; it is one guest running away.
// MODES=d1,1t,par MS=600 GUESTS=4 SEEDS=3 (main 5b95c12, load 4-13). Temporary logs in Mglru.beginAging / endAging and
// kswapd.ts (not kept): the walks agree across modes within ~15 ms. Seed 1, walk starts (ms): det k19.01 (ends 130.53),
// d130.53, k210.3, d334.0, k384.0, k477.5, k549.4; 1t k18.98, d130.50, k199.0, d301.5 (worker 1), k352.1, k423.0,
// k473.3, k548.5; par k19.00, d130.52, k196.4, d300.2, k350.3, k424.9, k475.7, k545.9 (k kswapd, d a direct
// reclaimer's inline walk). The one run whose first walk is claimed out of virtual order (1t seed 2: worker 1's direct
// reclaimer at 19.28 ms ahead of kswapd's 19.0) still stalls to 130.3 ms (s12-a's virtual end), and lands between the
// kswapd-claimed spread runs (95.57 %; par seed 2 95.26 / 97.03 in two runs). Per 10 ms window (SAMPLEMS=10) the misses
// are ~4-5.5 k in every mode; the miss share per access falls in the spread runs from 6.5 % (150 ms) to 0.5-0.9 % (1t)
// / 0.8-3.6 % (par) at 600 ms, det stays 5.3-5.6 %. Per guest (the line this session added): det seed 1 g0..g3
// 1.21/1.08/1.06/1.02 M accesses, 92.96/92.06/91.89/91.63 %, 39.7-44.2 k evictions each; 1t g0 9.37 M at 99.07 %, 21.8 k
// evictions (all refaulted), g1-g3 0.93-1.15 M at 90.0-91.7 %, 56.7-60.6 k evictions; par g0 5.68 M 98.33 %. Seed 2: 1t
// g2 5.25 M 98.17 %, par g0 9.29 M 99.06 %; seed 3: 1t g0 15.33 M 99.48 %, par g0 8.94 M 99.02 %. The other guests'
// accesses equal det's, so the access surplus and the hit-rate gap (access-weighted) are the runaway guest's. Its
// stage-2 faults are not fewer (87 k against 92-96 k; det 85 k each): the same misses in time, ~8x the hits between
// them; its MMU-lock wait 1.3 s against 3.7-4.2 s (det 4.3-4.6 s each). Separations, 1t, seeds 1/2/3, the largest
// guest's accesses: W0WEIGHT=1000 none (seed 1 92.18 %, det 92.17; per guest as det); NOBUDGET=1 none (1.83/1.45/1.65 M);
// AFFINE=1 none (1.39/1.65/1.31 M); QNS=20000 5.36/13.91/4.01 M (kept); PERW=1 seed 1 3.91 M; NOTLB=1 seed 1 2.45 M (det
// changes too). Det itself favours g0 a little in every seed (g0 93.0 % against 91.6-92.1 %): the spread runs amplify
// a small asymmetry into a runaway (fewer evictions -> less mmu_lock wait -> more accesses -> younger pages -> fewer
// evictions) when the per-worker frame budgets are on and every guest has vCPUs on both workers. Not found: which
// step of the budgets breaks the symmetry. In every spread variant the non-runaway guests also evict more (48-70 k vs
// 39-44 k). 1 guest 600 ms, seeds 1/2/3: par - det -0.067/-0.063/-0.070 pp, 1t - det -0.011/-0.017/-0.007 (no guest to
// starve: met). Who reclaims (the direct-reclaim line, d1/1t only): seed 1 600 ms, evictions made by each guest's
// vCPUs: det 42.0/40.5/40.0/41.4 k, 1t 36.9 (g0)/52.2/52.8/52.5 k; pressure time g0 6.9 s against 9.1-9.2 s (det 8.9-9.0
// s each): the runaway guest reclaims a little less but is evicted far less (21.8 k against 57-61 k), so the loop runs
// through the victims' choice (its pages younger), not through who pays. Its start is visible at 200 ms (seeds 1/2/3):
// the leading guest 0.52/0.52/0.56 M accesses in 1t (0.53/0.55/0.52 par) against det 0.47 M each, mmu_lock wait
// 412-515 ms against det 680-725 ms; spread runs evict 33.3-34.6 k against det 28.5 k and refault 10.7-11.2 k against
// 8.7-8.9 k (summary +0.25..+0.34 pp, within the bound).
// Worker order is not it: 1t seed 1 600 ms ORDER=01 g0 3.01 M 96.63 %, ORDER=10 g0 4.25 M 97.66 % (others 0.94-1.29 M).
// Nor the accessed bits read across workers within a quantum: QNS=20000 (quanta 50x shorter) keeps the runaway.
// Time course (GUESTWIN=25, seed 1 600 ms; per guest resident pages of 65,536): det g0..g3 43.3/43.2/43.3/43.3 k at
// 125 ms -> 46.0/42.6/42.5/41.8 k at 300 -> 45.7/43.7/42.5/40.8 k at 600 ms (g0 slightly favoured, stable); 1t 43.2
// each at 125 ms -> 54.3/41.1/41.9/35.6 k at 300 -> 65.5 k (g0 wholly resident from ~475 ms: no faults, 1.7 M
// accesses per 25 ms) / 39.4/36.3/31.8 k at 600 ms. The divergence begins in the first window after the first walk's
// stall (125-150 ms): evictions of g0/g3 det 1,485/1,986, 1t 1,525/2,308; all guests' 125-175 ms evictions det 10.5 k,
// 1t 12.6 k for about as many accesses (157 k / 193 k): the spread run evicts ~20 % more per access from the start,
// and the excess falls on the guests the det run already disfavours.
// Session 12 (s12-k): the budgets' path traced per (guest, worker), MODES=d1,1t MS=300 GUESTWIN=25, seed 1, main 03bbd42,
// temporary counters in directReclaim.ts allocFrame (tryTake taken / failed = entries into direct reclaim, direct-reclaim
// evictions by the reclaiming vCPU's guest and worker) and unmapGfnRange.ts evictOne (victim guest; kswapd or direct),
// plus each worker's budget left at every quantum end (not kept; GUESTWIN now prints each guest's stage-2 faults and its
// share of the window's evictions). Nothing in the budgets' path is per guest: per 25 ms window (150-300 ms) every guest's
// vCPUs enter direct reclaim 35-67 times on each worker (det 67-95, one worker), reclaim 1,230-2,110 pages on each
// (g0 not less: 1t 1,570-2,113 per worker), kswapd's frees go to worker 0's and 1's budgets by share, and the budget
// left at a quantum's end is 107-263 frames on each worker (no worker is starved or rich). So none of the candidates
// "g0 skips direct reclaim", "kswapd's frees to one worker", "a guest that never hits min on one worker" holds.
// The asymmetry is in the victims' choice on the shared lruvec and in who takes the freed frames. Evictions share
// g0 / g3 (150-300 ms windows): det 0.22-0.23 / 0.26-0.27, flat in every seed (seeds 1-3: g0 favoured by index, det's
// own tie order; not found where); 1t seed 1 0.223 -> 0.139 / 0.278 -> 0.328, seed 3 0.180 -> 0.083 / 0.267 -> 0.300.
// 1t seed 2 starts symmetric (0.253/0.260/0.237/0.250 at 125-150 ms) and g2 runs away (0.155 at 275-300): the spread
// loop is unstable from any small asymmetry, det's is stable. The runaway guest's frame takes rise with its accesses
// (seed 3 g0 s2f per 25 ms 2.7 k -> 5.3 k, others 2.4-2.6 k; det g0 2.5-2.9 k, others 2.4-2.7 k). The loop
// shows in the MMU-lock wait per eviction of the guest's own pages (GS_LOCK_WAIT_NS / GS_EVICTIONS, 0-300 ms; the
// wait counts every waiter on the guest's lock: its vCPUs and the reclaimers unmapping its pages):
//   det seeds 1/2/3: g0 (favoured) 110/111/111 us, others 103-106 us.  W0WEIGHT=1000 (1t, seed 1): 107 / 104-106 us.
//   NOBUDGET=1 (1t, seed 1): favoured g2 76, others 77-82 us.  1t seeds 1/2/3: the runaway guest 63/69/63 us, the
//   others 78-88 us.  PERW=1 (1t, seed 1): 36-37 us for every guest.
// Split (temporary counter in evictOne, the reclaimer's unmap write wait, recorded against the victim; seed 1, 300 ms):
//   det: reclaimers' wait 480/595/588/608 ms (g0..g3; 30.6 us per eviction of g0, 33 of the others), the rest (the
//   guest's vCPUs, the second hold, aging) 1,241 / 1,300-1,317 ms (79 / 71-73 us per eviction);
//   1t: reclaimers' wait 269/712/769/1,127 ms (17.3/33/36/45 us per eviction), the rest 707/966/924/1,056 ms
//   (45/45/43/42 us per eviction, flat). So the spread runs' difference is the reclaimers' wait to unmap a page of
//   the runaway guest (about half det's) against one of the starved guest (more than det's): a writer queues behind
//   the victim guest's read holds (its vCPUs' faults), dense for a guest that faults a lot per access, sparse for
//   the runaway one. How that wait feeds the victims' choice (the reclaimer's own time, the window in which pages of
//   the busy guest are found young) is not measured. PERW=1 (per-worker calendars; 1t seed 1, 300 ms): g0's share
//   0.201/0.221/0.213/0.205/0.193 (150-250 ms; a stall at 250-275 ms), g0 0.93 M against 0.73-0.76 M: a weaker loop
//   without cross-worker lock waits, so part of the amplifier is on the shared calendar and part is not. Budgets
//   strengthen it (NOBUDGET keeps a weak form: g2's share 0.246 -> 0.199 over 125-300 ms, the others 0.24-0.28).
// Kernel: one zone free count (NR_FREE_PAGES; zone_watermark_fast, mm/page_alloc.c 6.1-6.6) read by every CPU;
// per_cpu_pages lists hold at most pcp->high pages per CPU (refilled by rmqueue_bulk, pcp->batch at a time; frees via
// free_unref_page to the local list, free_pcppages_bulk to the zone above high), and pages on a pcp list do not count
// as free. A worker's budget (half the node's frames above min, refilled only by that worker's frees) has no kernel
// counterpart beyond that (spread.ts says so), but the trace shows it is not what favours one guest: it is guest-blind,
// and the favour comes through the victims' choice and the reclaimers' lock waits. No engine change: no small faithful
// fix found. Next: the reclaimers' unmap wait per victim guest split by the booking worker of the read holds waited
// behind (sync/vlockShared.ts), det vs 1t, and whether equalising it (e.g. 1t with QNS=20000 and PERW=1 together)
// removes the victim-share drift. Tried (1t seed 1, 300 ms, GUESTWIN=25; shares g0 / most-evicted over 150-275 ms):
// QNS=20000 0.211 -> 0.186 / g2 0.275 -> 0.300 (g0 resident 44.1 -> 49.4 k: drifts, slower); QNS=20000 PERW=1
// 0.229-0.239 / g3 0.255 -> 0.279 (g0 43.6 -> 45.7 k, near det's 43.8 -> 45.5 k) but ~21 k evictions per 25 ms
// against det's 10.5 k (lock waits gone, twice the churn): a different regime, not an equaliser.
// Session 13 (s13-l): spread runs' walk / look-around now clear the young host PTE of a page still in an
// lru_add batch (6.1-6.6 get_pfn_folio has no LRU test; mm/hostPte.ts), no promotion. Det unchanged (digest
// identical). MODES=d1,par, 4 guests, seeds 1-3, par - d1 in pp (load average 7-14): 200 ms before +0.25 +0.26
// +0.26, after +0.25 +0.29 +0.27; 600 ms before +4.30 +1.48 +5.71 / repeat +5.15 +6.05 +4.86 (mean 4.59), after
// +5.00 +0.53 +5.59 / repeat +4.12 +5.95 +4.84 (mean 4.34): no change beyond run-to-run spread; g0 still runs
// away (98.75-99.38 % in the runaway runs, 7.5-13.4 M accesses). At most 2 x FOLIO_BATCH_SIZE = 62 pages wait
// in batches at once (drained every quantum), so the rule could not carry a 600 ms runaway.
// Session 13 (s13-b): what the reclaimers' unmap wait is spent behind, and where det's g0 favour comes from. Main
// b6da758, 4 guests. Agreement re-run first (MODES=d1,par MS=600 SEEDS=3, nice, load 2.1-4.3): par - det +2.47 /
// +0.71 / +3.66 pp (mean +2.28; s12's +4.86/+1.11/+4.70 in another run: par's runaway varies run to run), runaway g0
// in all three par runs (3.83 / 1.94 / 5.79 M accesses against det's 1.21-1.30 M).
// (1) UNMAPWAIT=150-300 (bench/_unmapWaitSplit.ts), seed 1, MS=300, us per unmap by direct reclaim, g0..g3 (kswapd's
// alike). The reads are not it: the instants spent behind read holds are 0.0 (held at the writer's arrival) and
// 0.3 (begun after it) in det, 0.0 and 0.1 own / 0.4-1.5 other worker in 1t; the wait is behind write holds.
//   det  28.7/29.9/29.6/30.0 = FIFO writers (arrived first, an extendHold request at its hold's end counted as that
//        hold's continuation: the DVM wait inside it) 26.4-27.3 + later-arriving writers booked first 0.2 + gaps
//        1.9-2.2: det's writers wait as qrwlock's FIFO queue would (its faults too: 7.1-8.3 of 7.3-8.5 us per waiting
//        read behind earlier writers, 0.0 behind later ones).
//   1t (a first build that counted the extensions as later arrivals) 16.0/30.9/32.6/44.4 = FIFO 5.2/6.3/6.5/7.0 +
//        later-arriving own 2.8-4.2 + later-arriving OTHER worker's 5.9/16.8/18.0/26.8 + gaps 1.6-4.7 (det in that
//        build: 11.1-11.2 + own 15.4-16.4: its "later" part was the extensions).
//   Re-run with extensions told apart (UNMAPWAIT=150-250 MS=250): 1t 17.1/31.1/33.4/41.6 = FIFO 8.3/9.7/10.2/10.8 +
//        later-arriving own 0.1 + later-arriving OTHER worker's 6.5/17.2/18.7/24.8 + gaps 1.8-4.3; faults' read waits
//        FIFO (5.3-6.6 of 5.5-6.9 us, 0.0-0.1 behind later writers). So the spread run's per-guest spread of the
//        unmap wait is VLock.pastWriters' yield to the other worker's write holds that arrived later but were
//        booked first (the worker ahead in the quantum): a writer needs a gap of its hold's length in that worker's
//        convoy, which the most evicted guest's dense convoy does not leave. The `fair` column (FIFO: every write
//        hold that arrived by t, read holds begun by t) is 29.7/43.8/41.4/47.5, above the grants: pastWriters' scan
//        stops at the first later-arriving hold past the window, so a writer also slips ahead of earlier arrivals
//        booked beyond it (by the worker behind). Not separated further.
//   What-if NOYIELDX=1 (1t; readers and writers not placed behind another worker's later-arriving write holds: they
//   overlap them): the runaway is NOT removed, it grows faster. MS=250 GUESTWIN=50, g0's share of evictions at
//   100-150 / 150-200 / 200-250 ms: NOYIELDX 0.184 / 0.195 / 0.139, plain 1t 0.187 / 0.217 / 0.189; g0 1.05 M
//   accesses by 250 ms against plain 0.71 M (others 0.56-0.62 M in both). So that yield is a symptom of the
//   victims' choice (dense convoys on the most evicted guest), not its cause; no engine change made from it. (The
//   what-if also lets a request overlap the other worker's DVM extensions of holds that arrived before it: an
//   extension's record carries its own arrival, the held hold's end; a cleaner one needs the parent's arrival.)
// (2) Det's favour of g0 is the aging walk's order. VICTIMS=150-300, d1 seed 1, per guest g0..g3: candidates at the
//   oldest tail 16,965/18,836/18,791/19,242, young among them 16.3/14.8/14.8/14.2 %, evicted 14,198/16,043/16,013/
//   16,503, walk/look-around promotions 15,588/13,425/13,737/13,689, activations 42,144/38,971/38,474/36,563: g0's
//   folios reach the tail less and are found young more. REVACT=1 (the scheduler's tie order reversed) keeps it
//   (g0 ev 15,718, others 17.9-18.6 k at 300 ms). WALKREV=1 (walk_mm visits g3 first) flips it: g3 0.68 M accesses,
//   ev 15,644, g0 0.61 M, ev 18,472 (mirror of the plain run). Kernel: iterate_mm_list (mm/vmscan.c 6.1; 6.4+ the
//   same start) begins every walk at mm_list->fifo.next, the oldest mm (lru_gen_add_mm: list_add_tail), so the VM
//   created first is walked first in every pass: det's g0 favour is that kernel order (VMs created in index
//   order), not a lab artefact. And the spread run's runaway follows it: 1t seed 1 with WALKREV=1 runs away with
//   g3 (its share of evictions 0.169 / 0.171 / 0.125 in the 50 ms windows ending at 150 / 200 / 250 ms; 0.95 M
//   accesses by 250 ms against 0.46-0.54 M).
//   The first window after the first walk's stall already favours g0 in both modes (MS=250 GUESTWIN=50, 100-150 ms:
//   det g0 34 k accesses, others 23-25 k, g0's share of evictions 0.199 against 0.267; plain 1t 38 k / 18-26 k,
//   0.187 / 0.259-0.283); det then relaxes (0.230, 0.227 at 150-200, 200-250 ms), 1t does not (0.217, 0.189). What
//   keeps the walk's favour growing in spread runs (it fades in det) is still not found.
// Session 13 (p, 2 Dec 2026): per window, det (d1) against 1t, seed 1, main a55c9a3, MS=300 GUESTWIN=50 VICTIMS=100-300
// VICTIMWIN=50 (and GUESTWIN=10 GUESTTIME=1 to 200 ms), load 7-10, nice. Summary 300 ms: d1 90.37 % 2.53 M accesses, 1t
// 91.67 % 3.04 M (g0 1.14 M 93.81 %, g3 0.50 M 88.54 %). Per guest g0/g1/g2/g3, 50 ms windows ending 150/200/250/300:
//   accesses (k)  d1 36/24/26/25, 89/80/79/76, 94/83/83/79, 102/90/88/87;  1t 45/34/22/16, 156/134/66/50, 225/153/56/46,
//                 369/194/51/38
//   evict share   d1 .199/.267/.266/.268, .232/.252/.253/.263, .230/.256/.256/.258, .227/.254/.258/.261;  1t .180/.244/
//                 .279/.297, .201/.216/.275/.307, .165/.202/.301/.332, .116/.172/.338/.374
//   tail candidates (folio_referenced at the oldest tail) d1 1966/2537/2513/2537, 6004/6464/6456/6625, 5458/6079/6126/
//                 6274, 5721/6225/6253/6229;  1t 1962/2621/2848/2981, 6260/6646/7814/8495, 4885/5793/7981/8796,
//                 4001/5263/8745/9502
//   young/cand    d1 .142/.110/.105/.104, .185/.177/.173/.164, .119/.122/.129/.142, .173/.149/.140/.124;  1t .146/.134/
//                 .090/.073, .223/.212/.147/.125, .184/.157/.088/.087, .322/.232/.094/.076
//   s2f (takes)   d1 150-200 5269/5283/5215/5199;  1t 8044/7609/4886/4229 (the runaway guest takes MORE frames: more
//                 accesses, fewer faults per access: 5.2 % against g3's 8.5 %)
// Walks: the same passes in both modes, each visiting g0 first (16 steps of 4,096 pages per guest per pass): the first
// (kswapd, g0's steps at 19-50 ms, g3's at 90-130 ms), the second (a direct reclaimer's inline walk at ~130.5 ms), the
// third k210 (d1) / k199 (1t: g0's first step before 200 ms, the rest 200-250). Young found per guest follows the
// guest's accesses since the last pass: third pass promotions d1 13.3/12.2/12.7/12.5 k, 1t 14.4/16.0/10.0/8.8 k. The
// one difference before any eviction is the SECOND pass's young pages of g0 (its steps at 128-129 ms; g1-g3 0 young in
// both modes): d1 1,576, 1t 2,663-2,677 (alternating order, two runs), ORDER=01 2,663, ORDER=10 2,483. They are not
// accesses made after the first pass: GUESTWIN=1 shows no access and no stage-2 fault in either mode from 18 ms (the
// vCPUs stall before kswapd's walk starts at 19.0) to 130 ms, and the first pass finds 43.25 k young of g0's 43.3 k
// resident pages in both (8,151 / 14,000 / 14,269 / 6,833 per 10 ms from 19 ms, 1t ORDER=01 within 20). So they are
// young bits the first pass left set: GUESTTIME=1 GUESTWIN=1 (the new ptesScanned / youngFound line) shows the first
// pass identical per step in both modes (g0 4,096 / 4,055 / 3,900 ... 1,566 young per 4,096-PTE step, 19-44 ms) and
// the second pass scanning all 65,536 PTEs of every guest in both (no Bloom-filter skip), young in g0 1,576 (d1) /
// 2,677 (1t). A difference of state carried through the stall, in the bits the walk tests (stage-2 AF, host PTE
// young: mm/hostPte.ts). Not traced which pages. With VICTIMS=10-130 VICTIMWIN=1 the first pass's first g0 step (the
// hottest gfns, 4,096 young) falls in the 16-17 ms quantum, before the vCPUs' stall (~18 ms; 1 k accesses in 17-18 ms,
// none after): so the surplus must come from g0's accesses of ~17-18 ms made after that step in the walk's order of
// events (inferred, not traced per page). It does not depend on which worker runs the second pass: walk steps counted
// per worker (_victimSplit walkStepsW1) show it on worker 0 (alternating order, ORDER=01: 2,677 / 2,663 young) and on
// worker 1 (ORDER=10: 2,483). It is the quantum: QNS=20000 (20 us quanta, 1t) gives 1,662 (alternating) / 1,593
// (ORDER=10) against d1's 1,576, so the surplus is accesses of g0's vCPUs on the other worker within the 1 ms quantum
// of its first step, ordered against the walk by real time instead of virtual time. But s12-k's QNS=20000 run still
// drifts (g0's share 0.211 -> 0.186 over 150-275 ms, slower): the spread runs' loop amplifies det's own walk-order
// favour (1,576 against 0 young for g1-g3) too; the surplus speeds it, the loop's weaker damping is the rest (s12-k,
// s13-b: the cross-worker lock convoys). Summary: per-worker budgets, kswapd on worker 0 and frames per worker are
// not the mechanism (symmetric per guest); the 1 ms quantum seeds a ~70 % larger young surplus for the first-walked
// guest, and the loop through its lock wait (faults per ms) and victims' choice carries it.
// Per worker (1t, new line "per worker, guest": accesses, s2f, evictions of the guest's pages made while the worker ran,
// evictions by the guest's vCPUs' direct reclaim; worker 1's counters are its own until the fold, simLayout
// workerStats): symmetric. 150-200 ms w0 / w1: g0 81/74 k acc, 4325/3719 s2f, 2407/2458 evicted, 2903/3271 direct;
// g3 25/25 k, 2105/2124, 3726/3704, 2989/2584. So no worker gives its guests an advantage: the budgets (guest-blind,
// settled by each worker's takes) and kswapd on worker 0 act the same on every guest's vCPUs, which sit on both workers.
// The runaway starts within 10 ms of the stall's end. 130-140 ms (GUESTWIN=10), per guest: accesses d1 16/8/9/8 k, 1t
// 23/17/10/5 k; s2f d1 953/714/752/764, 1t 1340/1235/899/591; MMU-lock wait (every waiter on the guest's lock) d1
// 94/134/136/124 ms, 1t 52/96/120/145 ms; stall ~ pressure ~ the vCPUs' whole virtual time (d1 200 / 159 ms, 1t 184-201
// / 148 ms per guest per window): every vCPU is in a fault or in direct reclaim, so a guest's accesses are its faults
// per ms times its hits per fault, and its faults per ms fall with the wait on its lock. d1 starts from the same
// order (g0 16 k against 8 k) and is level by 150-160 ms (16/14/14/14 k, lock wait 107-125 ms); 1t is not (31/27/17/13 k,
// 65/84/123/128 ms). The loop visible per window: evicted more -> more reclaimers' unmap write holds on that guest's
// lock (s13-b: dense convoys, later-arriving writes of the other worker passed) -> its vCPUs' faults wait longer -> fewer
// faults and accesses -> fewer of its pages young at the tail and at the next walk -> more of its folios at the tail
// (1t g3 candidates 8.5-9.5 k per 50 ms against d1's 6.2-6.6 k) -> evicted more. Det has the same arrows but damps.
// The seed needs g0's vCPUs on both workers: the second pass's young pages of g0 are d1's exactly with W0WEIGHT=1000
// (1,576; every window to 150 ms equals d1's) and AFFINE=1 (1,570), 2,483-2,677 in every split variant above. In 1t the
// young-page surplus of the guest walked first (~1,100 pages, ~2.5 % of its resident set) is the first asymmetry the
// modes do not share; then 130-140 ms g0's lock wait is 52 ms against d1's 94. Not shown: that the surplus alone is
// sufficient, nor which cross-worker step makes it. Next: dump g0's per-page young bits (stage-2 AF, host PTE young,
// PG_LRU) at 18 ms, 45 ms (after g0's first-pass steps) and 128 ms in d1 and 1t and diff them; then a hook that
// clears the surplus in 1t at 128 ms, to see whether the 130-300 ms windows fall back to d1's.
// Session 13 (q, 2 Dec 2026): is the second pass's young surplus of g0 (1t 2,677 against d1's 1,576) enough to start
// the runaway? No: neither necessary nor sufficient. YCLEAR / YADD (below) drop / add young pages of g0 at random in
// the second pass's walk_pte_range windows (100-160 ms). Seed 1, main 3e07b03, MS=300 GUESTWIN=50 VICTIMS=100-300
// VICTIMWIN=50, load ~4.2, nice. Per window ending 150/200/250/300 ms, g0's evict share and accesses (k), (g1-g3 shares):
//   d1                       .199/.232/.230/.227, 36/89/94/102 (g1-g3 .25-.27 throughout)
//   d1 YADD=0.02605 (->2633) .198/.229/.227/.221, 33/91/98/109; YSEED=7 (->2679) .197/.228/.226/.219, 34/93/97/106
//   d1 YADD=0.2 (->9842)     .169/.184/.174/.160, 40/103/124/149 (a 6x surplus: det drifts too, slowly)
//   d1 YCLEAR=1 (->0)        .246/.252/.247/.248, 28/80/87/90: all four guests level (.246-.256): det's g0 favour is
//                            exactly its 1,576 second-pass young pages
//   1t                       .180/.201/.165/.116, 45/156/225/369 (g1 .244/.216/.202/.172, 34/134/153/194 k: g0, g1 win)
//   1t YCLEAR=0.4082 (->1575) .204/.202/.164/.090, 43/157/249/584 (g1-g3 .25-.34: g0 alone runs away, faster)
//   1t same, YSEED=7 (->1602) .200/.195/.139/.068, 46/181/328/789
//   1t YCLEAR=1 (->0)        .255/.268/.278/.300, 24/75/82/59: g0 now loses; g1 runs away (.234/.218/.201/.151,
//                            35/131/176/286 k), g2 next (.210 by 300 ms)
//   young/cand 250-300 ms: d1 g0 .173, 1t .322, 1t clear .397/.451 (YSEED 7), 1t clear-all g1 .268 (g0 .116).
// With the surplus cleared to det's count, 1t's 100-150 ms window matches d1's (g0 .204 vs .199) and the runaway still
// follows; with it added in d1 (random resident pages; 1t's real surplus is likely g0's 17-18 ms accesses, i.e. hot
// pages: not traced), det stays level within .01 of d1. So in 1t a ~1.6 k young edge of the first-walked guest (det's
// own) is enough seed, and with none for g0 the run picks another winner (g1): the spread run's loop (lock wait ->
// faults per ms -> young at the tail, s13-p) has enough gain to grow any asymmetry; det's damps a 1.7x surplus and
// drifts only with a ~6x one. Control: YCLEAR=0.5 YWIN=1000-1001 (hook installed, never acts) is line-for-line 1t.
// Raw outputs /tmp/q13/. Next: measure the loop's gain per mode (inject a fixed young edge per guest at ~130 ms, d1 and
// 1t, and compare the 150-300 ms growth), and find which 1t step lacks det's damping.
// Session 14 (c, 2 Dec 2026): which link of the loop lacks det's damping, and did s13-m widen the 600 ms gap.
// (1) s13-m (a reclaimer's unmap request past its limit a scheduling point) is not what widened it. 1t (the spread
// plan on one thread, no real-time noise), 600 ms, 4 guests, seeds 1/2/3, 1t - d1 pp: main 4ebe781 +5.77/+6.19/+6.05
// (mean +6.00), s13-m's merge reverted (a55c9a3^1..a55c9a3 engine diff reversed, a copy outside the worktree)
// +6.09/+6.06/+6.15 (+6.10); g0 runs away in all six (14.5-18.8 M accesses against det's 1.2 M). par - d1 (load
// 8-22): main +5.83/+3.39/+5.80, reverted +3.12/+5.33/+2.45: the par figure measures how far the runaway has got by
// 600 ms (g0 3.8-15.6 M accesses), which varies run to run by more than the +4.34 -> +5.87 pp s13 attributed to M.
// (2) RECLAIMERS=131-200 (bench/_reclaimerSplit.ts), seed 1, 200 ms: the reclaimers are guest-blind in both modes.
// Per reclaiming guest the victims are every guest's in the same proportion (d1 g0's vCPUs: v0..v3 1700/1947/1946/1956,
// g3's 1539/1862/1814/1886; 1t alike) and a step's cost depends on the victim, not the reclaimer (1t: ~50 us for a
// g0 page, ~75-80 us for a g3 page, for every reclaiming guest; d1 70-75 us for all). So "a guest's vCPUs reclaim
// their own pages" and "a guest's vCPUs reclaim slower" are ruled out.
// (3) The link whose gain differs: evictions of a guest's pages -> its vCPUs' map-phase time (mmu_lock read waits +
// mmu_invalidate_retry re-faults + late-charged retries). 131-200 ms, seed 1, g0 / g3 (UNMAPWAIT, RECLAIMERS):
//                                d1                          1t
//   unmaps of its pages          6,242 / 7,372               6,324 / 9,819
//   reclaimer's unmap wait (us)  47.2 / 50.0 (wrY 0.2/0.3)   21.5 / 53.8 (wrY other worker 8.3 / 32.1)
//   fault reads that waited      47.6 k x 8.7 us = 414 ms    39.3 k x 7.7 = 302 ms
//                                57.4 k x 7.4 us = 425 ms    72.7 k x 5.6 = 407 ms
//   retries (0-200 ms)           48.4 k / 58.3 k             54.8 k / 91.4 k (settled late 2.4 k / 13.3 k, owed 10 / 51 ms)
//   vCPUs' reclaim time (ms)     543 / 524                   598 / 484
//   map-phase ms (reads + retries x 1.41 us + owed): d1 482 / 507 (+25 ms for +1,130 unmaps: 22 us each); 1t 389 / 587
//   (+198 ms for +3,495: 57 us each). Every vCPU is in a fault or in direct reclaim (vCPU time 1,104 ms per guest in
//   the window), so map-phase time is taken from reclaim time, and a guest's frames (s2f) follow its reclaim time:
//   s2f 140-200 ms d1 6,520 / 6,352, 1t 9,287 / 5,230. Retries per extra unmap are alike (d1 ~12 us, 1t ~15 us of
//   re-faults); the read waits are not (d1 +10 us per extra unmap: more reads wait, each shorter; 1t +30 us). The
//   1t read waits follow the reclaimers' unmap wait per guest (21.5 vs 53.8 us), which is VLock's yield to the other
//   worker's later-arriving write holds (s13-b's wrY x): a queued writer blocks the readers arriving behind it
//   (qrwlock), so the lagging worker's readers inherit the yield. Not confirmed as the cause: s13-b's NOYIELDX
//   (overlap instead of yield) grew the runaway faster, so that what-if does not separate it.
// (4) SETTLEOFF=1 (late-charged retries dropped; a what-if): the runaway stays and grows faster (seed 1, 300 ms: g0
// 1.50 M accesses, 95.16 %, its eviction share .079 at 250-300 ms, against plain 1t 1.14 M, .116).
// (5) PERW=1 (per-worker calendars) at 131-200 ms is a different regime (reclaim steps 37 us for every victim,
// twice the evictions), flat per guest (unmap wait 12 us; read waits 303 / 367 ms g0 / g3).
// (6) QNS=20000 (20 us quanta), same window: the cross-worker yield nearly goes (g0's unmaps wrY other 1.7 us) and the
// gradient weakens but stays (200 ms: g0 0.58 M accesses, g3 0.49 M; read waits 69.2 k x 4.8 = 332 ms / 94.4 k x 3.9
// = 368 ms; retries 81 k / 104 k); so the yield is not the whole gain either.
// Agreement on this branch (engine = main 4ebe781; no engine change), MODES=d1,par, seeds 1/2/3, load 18-22, nice:
// 200 ms 4 guests +0.27/+0.23/+0.26 pp (mean +0.25); 600 ms 4 guests +5.83/+3.39/+5.80 (+5.01); 600 ms 1 guest
// -0.04/-0.06/-0.06. Tried and dropped for time: tagging each write hold with its own yielded wait in
// _unmapWaitSplit to charge the readers queued behind it (per-write split too slow: >5 min for 200 ms).
// Next: a what-if that books the lagging worker's writer at its FIFO place among the other worker's later arrivals
// for the readers behind it (a reader queued behind a yielded writer waits until the end the writer would have had
// in arrival order, not its booked end), to test whether (3)'s read-wait slope falls to det's and the runaway with it.
// Session 14 (s14-i): one-worker runs now model 6.1-6.3's joining of the aging walk (MglruAging.joinWalk: a direct
// reclaimer that needs a generation while kswapd's pass runs takes the mms no walker holds; spread runs keep one
// walker). This file's det scenario (4 guests, seed 1, in-process, temporary count around joinWalk, main 436367f vs
// s14-i): 600 ms 2 joins (at 17.0 ms a vCPU walked g1-g3 for 83.6 ms; at 303.9 ms 32.2 ms), hit rate 92.23 -> 92.41 %,
// accesses 7.45 -> 8.11 M/s, aging passes 7 -> 8; 1.5 s 7 joins (144.8 ms of vCPU walking), 98.78 -> 98.70 %,
// 38.70 -> 37.42 M/s. The par side cannot join, so par - det moves by det's change (not re-measured).
// Session 14 (j, 2 Dec 2026): that what-if, YIELDREL=1 (below; a reader, and the shadow end of a writer, behind a
// writer that yielded to the other worker's later-arriving holds is released at that writer's arrival-order end; no
// yield to the other worker's later arrivals). Main 02c9d7a, 4 guests, seeds 1/2/3, nice, load 3.6-21. Control: d1 with
// YIELDREL=1 equals plain d1 in every printed counter (seeds 1-3 at 200 ms, seed 1 at 140 ms; no shadow end, no read
// granted earlier), so the hook moves only cross-worker order.
// It acts: 1t seed 1, 200 ms, 6,698 of 120,942 waiting writes get a shadow end earlier (166 us each), 53,287 of 229,390
// reads behind a write are granted earlier (6.1 us each). In (3)'s window (131-200 ms, RECLAIMERS + UNMAPWAIT, seed 1):
//                                plain 1t                    YIELDREL 1t                 (d1: 414 / 425 ms, 10 us)
//   unmaps of g0 / g3            6,324 / 9,819               6,099 / 9,213
//   fault reads that waited      39.3 k x 7.7 = 302 ms       34.9 k x 9.1 = 318 ms
//                                72.7 k x 5.6 = 407 ms       49.1 k x 7.5 = 369 ms
//   read wait per extra unmap    +30 us                      +16 us
//   retries 0-200 ms (late, ms)  54.8 k / 91.4 k (2.4 k 10.1, 13.3 k 51.2)   52.6 k / 75.8 k (1.8 k 7.2, 10.8 k 43.7)
//   map phase per extra unmap    57 us (d1 22)               39 us
// So the readers do inherit the yield (half of the spread plan's excess map-phase slope goes with it), but the
// runaway does not stop. 1t - d1, pp (d1 92.232/92.159/92.192 at 600 ms, 88.941/88.898/88.946 at 200 ms):
//   200 ms  plain +0.28/+0.36/+0.21 (mean +0.28)   YIELDREL +0.26/+0.34/+0.30 (+0.30)   + SETTLEOFF +0.25/+0.30/+0.22 (+0.26)
//   600 ms  plain +5.77/+6.19/+6.05 (mean +6.01)   YIELDREL +5.96/+6.14/+5.79 (+5.96)   + SETTLEOFF +5.32/+6.09/+5.77 (+5.72)
// g0 still runs away at 600 ms (YIELDREL 16.6/18.0/14.7 M accesses, + SETTLEOFF 11.8/17.3/14.5, plain 14.5/18.8/17.3 M;
// det 1.22-1.27 M), and at 200 ms the per-guest gradient is the plain one (g0 0.57/0.60/0.57 M, g3 0.43/0.43/0.47 M;
// plain 0.55/0.62/0.55 and 0.41/0.43/0.46). Rules out: the readers' inheritance of the cross-worker yield (qrwlock
// order broken for readers queued behind a yielded writer) as the carrier of the runaway; with it removed and the
// late-settled retries too (SETTLEOFF), the loop keeps enough gain. Raw outputs /tmp/j14/. No engine change made
// from it. The writers' own yield is s13-b's NOYIELDX (grew the runaway).
// Session 15 (g): spread runs now take the stage-2 fault's folio_mark_accessed marks (mm/lruAdd.ts markAccessedN) and
// share MGLRU's PID controller (SharedLru.ctrl). MGLRU (this scenario): 1t identical to the last digit at 200 and 600 ms
// (seeds 1-3; the marks' refs never reach the oldest tail here), par - det 200 ms -0.04/-0.05/-0.12, 600 ms
// +5.44/+5.06/+3.62 (before +4.32/+0.81/+3.67: run-to-run spread of the runaway). POLICY=active-inactive (new): before,
// every spread run stalled ~50-200 ms (-8.3..-8.5 pp at 200 and 600 ms); after, 200 ms 1t +0.67/+0.95/+0.94, par
// +0.62/+0.85/+0.74; 600 ms 1t -0.08/-0.05/-0.08, par -0.07/-0.07/-0.07. Table: docs/repro-max-guest-memory.md.
import { loadavg } from 'node:os';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSpawner } from '../engine/host/node/spawn.ts';
import type { RunResult } from '../engine/protocol.ts';
import { prepareRun, buildResult, RowStore } from '../engine/core/sim/run.ts';
import { SimWorkerCore } from '../engine/core/sim/simCore.ts';
import {
  CTL_DONE,
  GS_ACCESSES,
  GS_DIRECT_RECLAIM,
  GS_EVICTIONS,
  GS_PRESSURE_NS,
  GS_RESIDENT,
  GS_S2_FAULTS,
  GS_STALL_NS,
  GS_LOCK_WAIT_NS,
  GS_THROTTLE_NS,
  GS_PTES_SCANNED,
  GS_YOUNG_FOUND,
  GS_VCPU_NS,
  GS_KSWAPD_WRITE_WAIT_NS,
  GS_WORDS,
  LH_READ_HOLD,
  LH_READ_WAIT,
  LH_WORDS,
  TIME_QUANTUM_END,
} from '../engine/core/sim/simLayout.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';
import { setReclaimWorkerVcpuWeight } from '../engine/core/sim/plan.ts';
import { Kswapd } from '../engine/core/mm/kswapd.ts';
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { VLock } from '../engine/core/sync/vlock.ts';
import { firstEndAfter, vclock, WRITE_DOUBLES } from '../engine/core/sync/vlockCalendar.ts';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type HookedLock = any;
import { hookMethod } from './_util.ts';
import { MmWalk } from '../engine/core/mm/walkMm.ts';
import { Harvester } from '../engine/core/kvm/mmuNotifier.ts';
import { MmuInvalidate } from '../engine/core/kvm/mmuInvalidate.ts';
import { PG_HOST_YOUNG, PG_RESIDENT } from '../engine/core/sim/simLayout.ts';
import { installVictimSplit, resetVictimSplit, running, victimTick } from './_victimSplit.ts';
import { installUnmapWaitSplit, reportUnmapWaitSplit } from './_unmapWaitSplit.ts';
import { installReclaimerSplit, installRetrySplit, reportReclaimerSplit, reportRetrySplit } from './_reclaimerSplit.ts';

const root = process.cwd();
const workerFile = path.join(root, '.cache', 'workers', 'sim-worker.mjs');
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const GUESTS = Number(process.env.GUESTS ?? 4);
const MS = Number(process.env.MS ?? 600);
const SEEDS = Number(process.env.SEEDS ?? 3);
const SEED0 = Number(process.env.SEED0 ?? 1);
const MODES = (process.env.MODES ?? 'det,par,1t').split(',');
// UNMAPWAIT=from-to (ms; in-process modes d1, 1t): the reclaimers' unmap write wait per victim guest, split by
// what it waited behind (bench/_unmapWaitSplit.ts), over unmaps arriving in [from, to).
const UNMAPWAIT = process.env.UNMAPWAIT?.split('-').map(Number);
if (UNMAPWAIT) installUnmapWaitSplit(UNMAPWAIT[0] * 1e6, (UNMAPWAIT[1] ?? Infinity) * 1e6);
// VICTIMS=from-to (ms; d1, 1t): per guest, eviction's candidates, young ones, evictions, protections, promotions
// and activations between the two times (bench/_victimSplit.ts).
const VICTIMS = process.env.VICTIMS?.split('-').map(Number);
// WALKREV=1 (all in-process modes): the aging walk visits the guests in reverse order (each MAX_LRU_BATCH step's id
// range mirrored onto guest GUESTS - 1 - g; walk_mm's mm order reversed), to tell a bias by guest index from it.
if (process.env.WALKREV) {
  const P = 65536 * (4 / GUESTS);
  hookMethod(
    Pgdat.prototype,
    'walk',
    (orig) =>
      function (this: unknown, start: number, end: number, promoter: unknown) {
        const g = Math.floor(start / P);
        if (Math.floor((end - 1) / P) !== g) throw new Error(`walk step ${start}-${end} spans guests`);
        const s = (GUESTS - 1 - g) * P + (start - g * P);
        return orig.call(this, s, s + (end - start), promoter);
      },
    { mustRun: true },
  );
}
// NOYIELDX=1 (1t; a what-if, not the model): VLock.pastWriters passes no write hold that another worker booked and
// that arrived after the request (qrwlock would queue that writer behind it; the calendar's rule yields to it,
// a hold booked first in real time being honoured): such holds are overlapped instead. Aging holds (no worker in
// the record) are still passed.
if (process.env.NOYIELDX) {
  hookMethod(
    VLock.prototype,
    'pastWriters',
    () =>
      function (this: HookedLock, t: number, s: number, hold: number) {
        const w = this.w;
        const n = this.we;
        if (n === this.wh || w[n - WRITE_DOUBLES + 2] <= s) return s;
        for (let i = firstEndAfter(w, this.wh, n, WRITE_DOUBLES, 2, s); i < n; i += WRITE_DOUBLES) {
          const end = w[i + 2];
          if (end <= s) continue;
          if (w[i + 1] >= s + hold && w[i] > t) break;
          const k = w[i + 3];
          if (w[i] > t && k !== 1 && Math.abs(k) !== this.tag) continue;
          if (k === 1) this.agingWaitNs += end - s;
          if (w[i] > t) {
            this.yieldedN++;
            this.yieldedNs += end - s;
          }
          s = end;
        }
        return s;
      },
    { mustRun: true },
  );
}
// YIELDREL=1 (d1, 1t; a what-if, not the model; s14-j): a request queued behind a writer that yielded to another
// worker's later-arriving write holds is released when that writer would have released in arrival order, not at its
// booked end. Each write request that waited (writeSlow) books as before (the calendar's writes stay as booked) and
// records beside it a shadow end: the grant VLock.pastWriters / pastReaders would give it if every write hold that
// another worker booked and that arrived after it were queued behind it (qrwlock: wait_lock FIFO) and every write hold
// that arrived at or before it ended at ITS shadow end (the chain of yields undone), + its hold. A read request behind
// a write hold (readSlow) is granted by the same rule (the latest shadow end of the writers that arrived at or before
// it: a waiting writer blocks new readers), so it neither inherits a yield nor yields itself to the other worker's
// later arrivals; it may overlap booked write holds. Own-worker later arrivals (a reclaimer's second hold booked in the
// same step, det's own order) are passed as before, so d1 is bit-identical with the hook on (the control: seed 1,
// 140 ms, every counter equal). Reader admission (admitNs) kept. The shadow ends live in a map per calendar (the
// shared buffer in 1t: both workers' copies see one map), keyed by the booked end; par (real threads) is not covered.
const YIELDREL = process.env.YIELDREL ? Number(process.env.YIELDREL) : 0;
const yrCount = { reads: 0, readsEarlier: 0, savedNs: 0, writes: 0, shadowed: 0, shadowNs: 0 };
if (YIELDREL) {
  const shadows = new WeakMap<object, Map<number, number>>();
  const shadowOf = (lock: HookedLock): Map<number, number> => {
    const key = lock.w.buffer instanceof SharedArrayBuffer ? lock.w.buffer : lock;
    let m = shadows.get(key);
    if (!m) shadows.set(key, (m = new Map()));
    if (m.size > 20000) {
      const f = vclock.floor;
      for (const k of m.keys()) if (k <= f) m.delete(k);
    }
    return m;
  };
  // From s (for a request arriving at t for `hold` ns): VLock.pastWriters' scan, but a write hold that arrived at or
  // before t is passed at its shadow end, and one that another worker booked and that arrived after t (not aging) is
  // neither passed nor ends the scan (qrwlock would queue it behind the request). `own` (a booked end) is skipped.
  // With one worker (det: every record's tag the same) and no shadow, this is pastWriters exactly.
  const fifoWriters = (
    lock: HookedLock,
    m: Map<number, number>,
    t: number,
    s: number,
    hold: number,
    own: number,
  ): number => {
    const w = lock.w;
    const n = lock.we;
    if (n === lock.wh || w[n - WRITE_DOUBLES + 2] <= s) return s;
    for (let i = firstEndAfter(w, lock.wh, n, WRITE_DOUBLES, 2, s); i < n; i += WRITE_DOUBLES) {
      const end = w[i + 2];
      if (end === own) continue;
      const k = w[i + 3];
      if (w[i] > t) {
        if (k !== 1 && Math.abs(k) !== lock.tag) continue;
        if (end <= s) continue;
        if (w[i + 1] >= s + hold) break;
        if (k === 1) lock.agingWaitNs += end - s;
        s = end;
        continue;
      }
      const e = m.size === 0 ? end : (m.get(end) ?? end);
      if (e <= s) continue;
      if (k === 1) lock.agingWaitNs += e - s;
      s = e;
    }
    return s;
  };
  hookMethod(
    VLock.prototype,
    'writeSlow',
    (orig) =>
      function (this: HookedLock, aging: boolean) {
        orig.call(this, aging);
        const t = this.reqT;
        const hold = this.reqHold;
        const booked = this.grant + hold;
        const m = shadowOf(this);
        const saveAging = this.agingWaitNs;
        let s = t;
        for (;;) {
          const s0 = s;
          s = fifoWriters(this, m, t, s, hold, booked);
          s = this.pastReaders(s, hold);
          if (s === s0) break;
        }
        this.agingWaitNs = saveAging;
        yrCount.writes++;
        if (s + hold < booked) {
          m.set(booked, s + hold);
          yrCount.shadowed++;
          yrCount.shadowNs += booked - (s + hold);
        }
      },
    { mustRun: true },
  );
  hookMethod(
    VLock.prototype,
    'readSlow',
    () =>
      function (this: HookedLock) {
        const t = this.reqT;
        const hold = this.reqHold;
        const m = shadowOf(this);
        // The plain rule's first pass (read only but for the yield counters, restored), to count what the what-if moves.
        const yn = this.yieldedN;
        const yns = this.yieldedNs;
        const plain = this.pastWriters(t, t, hold);
        this.yieldedN = yn;
        this.yieldedNs = yns;
        this.agingWaitNs = 0;
        let s = fifoWriters(this, m, t, t, hold, NaN);
        if (s < plain) {
          yrCount.readsEarlier++;
          yrCount.savedNs += plain - s;
        }
        if (s > t && this.admitNs > 0) {
          if (s === this.admitEnd && this.admitNext > s) {
            const g = this.admitNext;
            s = fifoWriters(this, m, t, g, hold, NaN);
            if (s !== g) this.admitEnd = s;
          } else this.admitEnd = s;
          this.admitNext = s + this.admitNs;
        }
        yrCount.reads++;
        this.addRead(s, s + hold);
        if (this.hasHist) {
          this.account(LH_READ_WAIT, s - t);
          this.account(LH_READ_HOLD, hold);
        }
        this.grant = s;
      },
    { mustRun: true },
  );
}
// YCLEAR=p / YADD=p (ms window YWIN=from-to, default 100-160: the second MGLRU pass's g0 steps at ~128 ms; d1, 1t;
// a what-if, not the model): in each walk_pte_range window of guest 0 (Harvester.walkBatch, called from MmWalk.walk),
// YCLEAR drops each young page (stage-2 AF the batch found or host PTE young) with probability p (its bits cleared,
// not promoted); YADD makes each resident page that is not young count as young with probability p (promoted).
// Fixed-seed PRNG (mulberry32, seed YSEED, default 13). Prints the young pages found before / after per run.
const YWIN = (process.env.YWIN ?? '100-160').split('-').map((x) => Number(x) * 1e6);
const YCLEAR = Number(process.env.YCLEAR ?? 0);
const YADD = Number(process.env.YADD ?? 0);
const ycount = { before: 0, after: 0 };
if (YCLEAR > 0 || YADD > 0) {
  let seedR = Number(process.env.YSEED ?? 13);
  const rnd = (): number => {
    seedR = (seedR + 0x6d2b79f5) | 0;
    let t = Math.imul(seedR ^ (seedR >>> 15), 1 | seedR);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let g0: unknown = null;
  hookMethod(
    MmWalk.prototype,
    'walk',
    (orig) =>
      function (this: unknown, pg: { guests: unknown[] }, ...a: unknown[]) {
        g0 = pg.guests[0];
        return orig.call(this, pg, ...a);
      },
    { mustRun: true },
  );
  hookMethod(
    Harvester.prototype,
    'walkBatch',
    (orig) =>
      function (this: HookedLock, start: number, count: number) {
        orig.call(this, start, count);
        if (this.g !== g0 || this.t < YWIN[0] || this.t >= YWIN[1]) return;
        const fl: Uint8Array = this.g.flags;
        const y: Uint32Array = this.young;
        for (let i = 0; i < count; i++) {
          const m = 1 << (i & 31);
          const yb = (y[i >>> 5] & m) !== 0 || (fl[start + i] & PG_HOST_YOUNG) !== 0;
          if (yb) {
            ycount.before++;
            if (YCLEAR > 0 && rnd() < YCLEAR) {
              y[i >>> 5] &= ~m;
              fl[start + i] &= ~PG_HOST_YOUNG;
            } else ycount.after++;
          } else if (YADD > 0 && (fl[start + i] & PG_RESIDENT) !== 0 && rnd() < YADD) {
            y[i >>> 5] |= m;
            ycount.after++;
          }
        }
      },
    { mustRun: true },
  );
}
// SETTLEOFF=1 (1t; a what-if, not the model): MmuInvalidate.settle does nothing (the faults whose window met another
// worker's invalidation booked later in real time neither retry nor owe time): tells whether the late-charged retries
// carry the runaway.
if (process.env.SETTLEOFF) {
  hookMethod(
    MmuInvalidate.prototype,
    'settle',
    () =>
      function (this: { winN: number }) {
        this.winN = 0;
      },
    { mustRun: true },
  );
}
// RECLAIMERS=from-to (ms; d1, 1t): direct reclaim per (reclaiming vCPU's guest, victim's guest), bench/_reclaimerSplit.ts.
const RECLAIMERS = process.env.RECLAIMERS?.split('-').map(Number);
if (RECLAIMERS) {
  installReclaimerSplit(RECLAIMERS[0] * 1e6, RECLAIMERS[1] * 1e6, GUESTS, 65536 * (4 / GUESTS));
  installRetrySplit(GS_WORDS);
}
if (VICTIMS) installVictimSplit(VICTIMS[0] * 1e6, VICTIMS[1] * 1e6, 65536 * (4 / GUESTS));

// SAMPLEMS: the sample window (default 50 ms).
function scenario(workers: number, seed: number): ReturnType<typeof vcpus64Scenario> {
  // NOTLB=1: no TLB (a separation of the shared per-guest TLB; changes the deterministic run too).
  const c = vcpus64Scenario(hw, GUESTS, workers, MS, !process.env.NOTLB, seed);
  if (process.env.SAMPLEMS) c.run.sampleIntervalMs = Number(process.env.SAMPLEMS);
  // POLICY: the host lruvec's policy (default the scenario's mglru; e.g. active-inactive, session 15 (g)).
  if (process.env.POLICY) c.reclaim.policy = process.env.POLICY as typeof c.reclaim.policy;
  return c;
}

async function real(seed: number, workers: number): Promise<RunResult> {
  const c = scenario(workers, seed);
  return startRun(c, { spawnWorker: nodeSpawner(workerFile), onEvent: () => {} }).done;
}

// In-process modes (d1, 1t): per guest, the pages its vCPUs' direct reclaim evicted (of any guest: the host
// lruvec) and its vCPUs' pressure time (GS_PRESSURE_NS), from the shared counters after the last serial section.
function directBy(stats: Float64Array, mode: string, seed: number): void {
  const g = Array.from({ length: GUESTS }, (_, i) => i);
  console.log(
    `seed ${seed} ${mode.padEnd(3)} direct-reclaim evictions by guest: ${g.map((i) => stats[i * GS_WORDS + GS_DIRECT_RECLAIM]).join(' ')} | pressure ms: ${g.map((i) => (stats[i * GS_WORDS + GS_PRESSURE_NS] / 1e6).toFixed(0)).join(' ')}`,
  );
}

// GUESTWIN=ms (in-process modes d1, 1t): every ms of virtual time, per guest the accesses (k), evictions and
// stage-2 faults (frame takes) of the window and its resident pages (k) at its end, from the shared counters after
// a serial section; then each guest's share of the window's evictions (the victims' choice on the host lruvec).
const TIME_KEYS = [GS_STALL_NS, GS_LOCK_WAIT_NS, GS_PRESSURE_NS, GS_THROTTLE_NS, GS_VCPU_NS, GS_KSWAPD_WRITE_WAIT_NS];
function guestWindows(mode: string, seed: number): (stats: Float64Array, t: number) => void {
  const win = Number(process.env.GUESTWIN ?? 0) * 1e6;
  const prev = new Float64Array(3 * GUESTS);
  const prevT = new Float64Array(TIME_KEYS.length * GUESTS);
  const prevW = new Float64Array(2 * GUESTS);
  let next = win;
  return (stats, t) => {
    if (win <= 0 || t < next) return;
    next += win;
    const ev = Array.from({ length: GUESTS }, (_, g) => stats[g * GS_WORDS + GS_EVICTIONS] - prev[3 * g + 1]);
    const all = ev.reduce((a, b) => a + b, 0);
    const cols = Array.from({ length: GUESTS }, (_, g) => {
      const a = stats[g * GS_WORDS + GS_ACCESSES];
      const e = stats[g * GS_WORDS + GS_EVICTIONS];
      const f = stats[g * GS_WORDS + GS_S2_FAULTS];
      const col = `${((a - prev[3 * g]) / 1e3).toFixed(0)} ${e - prev[3 * g + 1]} ${f - prev[3 * g + 2]} ${(stats[g * GS_WORDS + GS_RESIDENT] / 1e3).toFixed(1)}`;
      prev[3 * g] = a;
      prev[3 * g + 1] = e;
      prev[3 * g + 2] = f;
      return col;
    });
    const share = ev.map((e) => (all > 0 ? e / all : 0).toFixed(3)).join(' ');
    // GUESTTIME=1: per guest, the window's vCPU stall, MMU-lock wait (every waiter on its lock), pressure
    // (direct reclaim), throttle time and virtual time (GS_VCPU_NS), ms, summed over its vCPUs, and kswapd's
    // unmap write wait on its lock.
    if (process.env.GUESTTIME) {
      const tcols = Array.from({ length: GUESTS }, (_, g) =>
        TIME_KEYS.map((k, j) => {
          const v = stats[g * GS_WORDS + k];
          const d = v - prevT[TIME_KEYS.length * g + j];
          prevT[TIME_KEYS.length * g + j] = v;
          return (d / 1e6).toFixed(0);
        }).join(' '),
      );
      console.log(
        `seed ${seed} ${mode.padEnd(3)} ${(t / 1e6).toFixed(0).padStart(4)} ms per guest stall lockWait pressure throttle vcpuTime kswapdWriteWait (ms): ${tcols.join(' | ')}`,
      );
      // The aging walk's PTEs scanned and young found per guest (Bloom-filter skips show as fewer PTEs scanned).
      const wcols = Array.from({ length: GUESTS }, (_, g) =>
        [GS_PTES_SCANNED, GS_YOUNG_FOUND]
          .map((k, j) => {
            const v = stats[g * GS_WORDS + k];
            const d = v - prevW[2 * g + j];
            prevW[2 * g + j] = v;
            return d;
          })
          .join(' '),
      );
      console.log(
        `seed ${seed} ${mode.padEnd(3)} ${(t / 1e6).toFixed(0).padStart(4)} ms per guest ptesScanned youngFound: ${wcols.join(' | ')}`,
      );
    }
    console.log(
      `seed ${seed} ${mode.padEnd(3)} ${(t / 1e6).toFixed(0).padStart(4)} ms per guest acc(k) evict s2f resident(k): ${cols.join(' | ')} | evict share ${share}`,
    );
  };
}

// d1: the deterministic run in this process (one SimWorkerCore), for in-process diagnostics.
function detHere(seed: number): RunResult {
  const c = scenario(1, seed);
  const p = prepareRun(c, {}, 1);
  const store = new RowStore();
  const sink = { rows: (s: number, r: Float64Array[]) => store.put(s, r), progress: () => {} };
  const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, sink, {});
  // REVACT=1 (d1): the vCPU actors in reverse order (g3's last vCPU first; kswapd stays last): the scheduler's
  // tie order (scheduler.ts: ties by actor order) reversed, to tell a bias by guest index that comes from it.
  if (process.env.REVACT) {
    const a = core.actorList;
    const k = a.findIndex((x) => x instanceof Kswapd);
    const v = a.filter((_, i) => i !== k).reverse();
    a.splice(0, a.length, ...v, ...(k >= 0 ? [a[k]] : []));
  }
  const sv = core.sv;
  const gw = guestWindows('d1', seed);
  do {
    const end = sv.time[TIME_QUANTUM_END];
    core.runUntil(end);
    core.serial();
    gw(sv.stats, end);
    if (VICTIMS) victimTick(`seed ${seed} d1 `, end);
  } while (sv.control[CTL_DONE] !== 1);
  core.close();
  resetVictimSplit();
  directBy(sv.stats, 'd1', seed);
  return buildResult(p, store.data, store.count, 0);
}

// GUESTWIN (1t): per guest, per worker, over the window: accesses (k), stage-2 faults (frame takes), evictions of
// the guest's pages made while that worker ran (kswapd runs on worker 0), evictions by the guest's vCPUs' direct
// reclaim on that worker (stats deltas around each worker's runUntil: the counters are shared and live).
const PW_KEYS = [GS_ACCESSES, GS_S2_FAULTS, GS_EVICTIONS, GS_DIRECT_RECLAIM];
const perWorker = [0, 1].map(() => PW_KEYS.map(() => new Array<number>(GUESTS).fill(0)));
let pwNext = 0;
function pwTick(seed: number, t: number): void {
  const win = Number(process.env.GUESTWIN ?? 0) * 1e6;
  if (win <= 0) return;
  if (pwNext === 0) pwNext = win;
  if (t < pwNext) return;
  pwNext += win;
  const cols = [0, 1].map(
    (w) =>
      `w${w} ` +
      Array.from(
        { length: GUESTS },
        (_, g) =>
          `g${g} ${(perWorker[w][0][g] / 1e3).toFixed(0)} ${perWorker[w][1][g]} ${perWorker[w][2][g]} ${perWorker[w][3][g]}`,
      ).join(' '),
  );
  console.log(
    `seed ${seed} 1t  ${(t / 1e6).toFixed(0).padStart(4)} ms per worker, guest acc(k) s2f evicted-while-w-ran direct-by-vcpus: ${cols.join(' | ')}`,
  );
  for (const w of perWorker) for (const a of w) a.fill(0);
}

function oneThread(seed: number): RunResult {
  pwNext = 0;
  for (const w of perWorker) for (const a of w) a.fill(0);
  // W0WEIGHT: the plan's worker-0 vCPU weight (plan.ts RECLAIM_WORKER_VCPU_WEIGHT); 1000 puts every vCPU on
  // worker 0: the spread machinery (deferred min watermark, lru_add batches, shared calendar) without a second worker's vCPUs.
  if (process.env.W0WEIGHT) setReclaimWorkerVcpuWeight(Number(process.env.W0WEIGHT));
  const c = scenario(2, seed);
  const p = prepareRun({ ...c, run: { ...c.run, deterministic: false, workers: 2 } }, {}, 2);
  const store = new RowStore();
  const sink = { rows: (s: number, r: Float64Array[]) => store.put(s, r), progress: () => {} };
  // QNS: a shorter quantum (diagnostic: how far workers' virtual times may be apart); PERW: each worker its own
  // MMU-lock calendar (SimCoreHooks.perWorkerVLock: no cross-worker lock waits).
  if (process.env.QNS) p.plan.quantumNs = Number(process.env.QNS);
  // AFFINE=1: whole guests per worker (the first half of the guests on worker 0), around the same shared
  // node: no guest's pages are touched by both workers' vCPUs (only its reclaim crosses workers).
  if (process.env.AFFINE) p.plan.vcpuWorker = p.plan.vcpuWorker.map((v, g) => v.map(() => (g < GUESTS / 2 ? 0 : 1)));
  // MAP=0,1,1,1 (session 16 a): every vCPU of guest g on worker MAP[g] (whole guests, any balance).
  if (process.env.MAP) {
    const m = process.env.MAP.split(',').map(Number);
    p.plan.vcpuWorker = p.plan.vcpuWorker.map((v, g) => v.map(() => m[g]));
  }
  const cores = [0, 1].map(
    (i) => new SimWorkerCore(p.config, p.plan, p.buffers, i, sink, { perWorkerVLock: !!process.env.PERW }),
  );
  // NODEFER=1: every worker's guests take the one-worker min-watermark check at each fault (Guest.reserve =
  // min) instead of the barrier's settlement (Guest.deferMin).
  type Deferring = { spreadGuests: { deferMin: boolean; reserve: number; host: { min: number } }[] };
  if (process.env.NODEFER)
    for (const core of cores)
      for (const g of (core as unknown as Deferring).spreadGuests) {
        g.deferMin = false;
        g.reserve = g.host.min;
      }
  // NOBUDGET=1: no per-worker frame budgets (HostFrames.budgets null): every fault checks the shared free
  // count against min at its own virtual time (the one-worker rule on the count both workers change).
  if (process.env.NOBUDGET)
    for (const core of cores)
      for (const g of (core as unknown as Deferring).spreadGuests)
        (g.host as unknown as { budgets: null }).budgets = null;
  const sv = cores[0].sv;
  const gw = guestWindows('1t', seed);
  let q = 0;
  do {
    const end = sv.time[TIME_QUANTUM_END];
    // ORDER=01 / 10: the same order every quantum (default: alternating).
    const order =
      process.env.ORDER === '01' ? [0, 1] : process.env.ORDER === '10' ? [1, 0] : q % 2 === 0 ? [0, 1] : [1, 0];
    for (const w of order) {
      // Worker 1's counters are its own (simLayout.ts workerStats), folded into worker 0's in the serial section.
      const ws = cores[w].sv.stats;
      const before = PW_KEYS.map((k) => Array.from({ length: GUESTS }, (_, g) => ws[g * GS_WORDS + k]));
      running.worker = w;
      cores[w].runUntil(end);
      running.worker = 0;
      PW_KEYS.forEach((k, j) => {
        for (let g = 0; g < GUESTS; g++) perWorker[w][j][g] += ws[g * GS_WORDS + k] - before[j][g];
      });
    }
    cores[0].serial();
    gw(sv.stats, end);
    pwTick(seed, end);
    if (VICTIMS) victimTick(`seed ${seed} 1t `, end);
    q++;
  } while (sv.control[CTL_DONE] !== 1);
  for (const x of cores) x.close();
  resetVictimSplit();
  directBy(sv.stats, '1t', seed);
  return buildResult(p, store.data, store.count, 0);
}

const f = (x: number | undefined, d = 0): string => (x === undefined ? '-' : x.toFixed(d));
for (let seed = SEED0; seed < SEED0 + SEEDS; seed++) {
  const res: Record<string, RunResult> = {};
  for (const m of MODES) {
    res[m] =
      m === 'd1'
        ? detHere(seed)
        : m === 'det'
          ? await real(seed, 1)
          : m === 'par'
            ? await real(seed, 2)
            : oneThread(seed);
    if (RECLAIMERS && (m === 'd1' || m === '1t')) {
      reportReclaimerSplit(`seed ${seed} ${m.padEnd(3)}`);
      reportRetrySplit(`seed ${seed} ${m.padEnd(3)}`, GS_WORDS);
    }
    if (UNMAPWAIT && (m === 'd1' || m === '1t'))
      reportUnmapWaitSplit(`seed ${seed} ${m.padEnd(3)}`, (hb) => hb / LH_WORDS);
    if (YIELDREL) {
      const y = yrCount;
      console.log(
        `seed ${seed} ${m.padEnd(3)} YIELDREL: writes waited ${y.writes}, shadowed ${y.shadowed} (mean ${(y.shadowNs / Math.max(1, y.shadowed) / 1e3).toFixed(2)} us earlier); reads behind writes ${y.reads}, granted before the plain rule's pass ${y.readsEarlier} (mean ${(y.savedNs / Math.max(1, y.readsEarlier) / 1e3).toFixed(2)} us)`,
      );
      y.reads = y.readsEarlier = y.savedNs = y.writes = y.shadowed = y.shadowNs = 0;
    }
    if (YCLEAR > 0 || YADD > 0) {
      console.log(
        `seed ${seed} ${m.padEnd(3)} YCLEAR ${YCLEAR} YADD ${YADD}: g0 young in ${YWIN.map((x) => x / 1e6).join('-')} ms before ${ycount.before} after ${ycount.after}`,
      );
      ycount.before = ycount.after = 0;
    }
    const s = res[m].summary;
    console.log(
      `seed ${seed} ${m.padEnd(3)} w${res[m].workers} hit ${(100 * s.hitRate).toFixed(3)} % acc ${s.accesses} evict ${s.evictions} refault ${s.refaults} direct ${f((s.directReclaimShare ?? 0) * 100, 1)} % aging ${s.agingPasses} ptes ${s.ptesScanned} young ${s.youngFound} wake ${f(s.kswapdWakeups)} thr ${f(s.reclaimThrottled)} pfm ${f(s.pfmemallocThrottled)} stallMs ${f(s.vcpuStallNs / 1e6)} lockWaitMs ${f(s.lockWaitNs / 1e6)} lockHoldMs ${f(s.lockHoldNs / 1e6)} thrMs ${f((s.reclaimThrottleNs ?? 0) / 1e6)} s2f ${s.s2Faults} af ${s.afFaults} tlbHits ${f(s.tlbHits)} cas ${s.cmpxchgFailures} dvmWaitMs ${f((s.dvmWaitNs ?? 0) / 1e6, 2)} dvmHoldWaitMs ${f((s.dvmHoldWaitNs ?? 0) / 1e6, 2)} load ${loadavg()[0].toFixed(2)}`,
    );
    // Per guest: accesses (M), hit %, evictions, refaults, vCPU stall and MMU-lock wait, stage-2 faults (the summary hit rate is access-weighted over guests).
    console.log(
      `seed ${seed} ${m.padEnd(3)} guests: ${s.guests.map((g) => `${g.name} ${(g.accesses / 1e6).toFixed(2)} M ${(100 * g.hitRate).toFixed(2)} % ev ${g.evictions} rf ${g.refaults} stall ${(g.vcpuStallNs / 1e6).toFixed(0)} ms lockWait ${(g.lockWaitNs / 1e6).toFixed(0)} ms s2f ${g.s2Faults}`).join(' | ')}`,
    );
  }
  const rows = res[MODES[0]].samples.tMs.length;
  console.log(
    `seed ${seed} per window: tMs | ${MODES.map((m) => `${m}: hit% acc evict free refault stallMs lockWaitMs resident`).join(' | ')}`,
  );
  for (let i = 0; i < rows; i++) {
    const cols = MODES.map((m) => {
      const x = res[m].samples;
      return `${(100 * x.hitRate[i]).toFixed(2)} ${x.accesses[i]} ${x.evictions[i]} ${x.freeFrames[i]} ${x.refaults[i]} ${(x.vcpuStallNs[i] / 1e6).toFixed(0)} ${(x.lockWaitNs[i] / 1e6).toFixed(0)} ${x.residentPages[i]}`;
    });
    console.log(`  ${res[MODES[0]].samples.tMs[i].toFixed(0).padStart(5)} | ${cols.join(' | ')}`);
  }
}
