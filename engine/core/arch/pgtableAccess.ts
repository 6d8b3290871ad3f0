/**
 * The per-access paths of the stage-2 tables: what a vCPU's access (and the fault path right after it)
 * does to its leaf, each an allocation-free direct descent from the root, as pgtableFast.ts's. Re-exported
 * by pgtable.ts (the API; its concurrency contract applies); import from there.
 *
 *   stage2GetLeaf(pgt, addr, out?)      kvm_pgtable_get_leaf: the valid leaf mapping addr, or -1
 *   getLeafMiss                         where the last stage2GetLeaf found no valid leaf (for mapLeafAt)
 *   stage2LeafFrame                     the host frame under that leaf
 *   stage2Mkyoung, stage2MkyoungPte     kvm_pgtable_stage2_mkyoung: set AF (hardware AF update or AF fault)
 *   stage2SetWritable                   kvm_pgtable_stage2_relax_perms: set S2AP W on a write fault
 *
 * Moved from pgtableFast.ts (session 16 (k)), bodies unchanged; lockless-safe (under RCU): only lo words,
 * which are atomic, are read, and AF / W are set by cmpxchg against the agers.
 */
import { atomics } from '../sync/atomics.ts';
import { ptePoisoned, tableUsable } from './arena.ts';
import { S2AP_W, S2_AF, pteIsTable, pteOaFrame, pteValid } from './descriptor.ts';
import { TABLE_WORDS, type ArenaViews } from '../layout.ts';
import { INV_PAGE, entryStart, type LeafOut, type Pgt } from './pgtableBase.ts';
import { entryIn } from './pgtableFast.ts';
import { LEVEL_MUL } from './walker.ts';

/**
 * Where the last stage2GetLeaf of this thread that returned -1 stopped, outside a debug arena:
 * [Int32 word of the invalid entry, its level], level -1 for an address outside the IPA space. (Per
 * thread, as the module state of pgtableBase.ts.) mapLeafAt's caller reads it right after the walk.
 */
export const getLeafMiss = new Int32Array(2);

/**
 * The valid leaf mapping `addr`: the Int32 index of its lo word, or -1 (unmapped,
 * invalid or mid break-before-make). Sets out.level when given. Allocation-free;
 * safe lockless (under RCU): it reads only lo words, which are atomic.
 */
export function stage2GetLeaf(pgt: Pgt, addr: number, out?: LeafOut): number {
  const v = pgt.views;
  if (v.debugPoison) return getLeafDebug(pgt, addr, out);
  if (!(addr < pgt.ipaSize)) {
    getLeafMiss[1] = -1;
    return -1;
  }
  const i32 = v.i32;
  const tables = v.tables;
  const gfn = addr * INV_PAGE;
  const small = gfn <= 0xffff_ffff;
  let page = pgt.root;
  let level = pgt.startLevel;
  for (;;) {
    const w = entryIn(tables, page, level, gfn, small);
    const lo = atomics.readOnce(i32, w);
    if ((lo & 1) === 0) {
      getLeafMiss[0] = w;
      getLeafMiss[1] = level;
      return -1;
    }
    if (level === 3 || (lo & 2) === 0) {
      if (out !== undefined) out.level = level;
      return w;
    }
    page = lo >>> 12;
    level++;
  }
}

/** stage2GetLeaf in a debug arena: also counts use-after-free and poison reads (ALLOC_UAF, ALLOC_POISON_READS). */
function getLeafDebug(pgt: Pgt, addr: number, out?: LeafOut): number {
  const v = pgt.views;
  if (!(addr < pgt.ipaSize)) return -1;
  const gfn = addr * INV_PAGE;
  let page = pgt.root;
  for (let level = pgt.startLevel; ; level++) {
    if (!tableUsable(v, page)) return -1;
    const w = v.tables + page * TABLE_WORDS + (((gfn * LEVEL_MUL[level]) & 511) << 1);
    const lo = atomics.load(v.i32, w);
    if (ptePoisoned(v, lo) || (lo & 1) === 0) return -1;
    if (level === 3 || (lo & 2) === 0) {
      if (out !== undefined) out.level = level;
      return w;
    }
    page = lo >>> 12;
  }
}

/** Host frame backing `addr` under the leaf at `word` (a block maps consecutive frames), or -1 if it changed. */
export function stage2LeafFrame(views: ArenaViews, word: number, level: number, addr: number): number {
  const i32 = views.i32;
  const lo = atomics.load(i32, word);
  const hi = atomics.load(i32, word + 1);
  if (atomics.load(i32, word) !== lo || !pteValid(lo) || pteIsTable(lo, level)) return -1;
  const gfn = addr * INV_PAGE;
  return pteOaFrame(lo, hi) + (gfn - entryStart(gfn, level));
}

/** Set AF on the leaf at `word` (cmpxchg loop against agers). True when this call set it. */
export function stage2MkyoungPte(views: ArenaViews, word: number, level: number): boolean {
  const i32 = views.i32;
  for (;;) {
    const lo = atomics.load(i32, word);
    if ((lo & 1) === 0 || (lo & S2_AF) !== 0 || pteIsTable(lo, level)) return false;
    if (atomics.compareExchange(i32, word, lo, lo | S2_AF) === lo) return true;
  }
}

const scratch: LeafOut = { level: 0 };

/** Hardware AF update (FEAT_HAFDBS) or the access-flag fault handler: true when AF was set by this call. */
export function stage2Mkyoung(pgt: Pgt, addr: number): boolean {
  const w = stage2GetLeaf(pgt, addr, scratch);
  return w >= 0 && stage2MkyoungPte(pgt.views, w, scratch.level);
}

/** Permission relax on a write fault: set S2AP W on the leaf. True when this call set it. */
export function stage2SetWritable(pgt: Pgt, addr: number): boolean {
  const w = stage2GetLeaf(pgt, addr, scratch);
  if (w < 0) return false;
  const i32 = pgt.views.i32;
  for (;;) {
    const lo = atomics.load(i32, w);
    if ((lo & 1) === 0 || (lo & S2AP_W) !== 0 || pteIsTable(lo, scratch.level)) return false;
    if (atomics.compareExchange(i32, w, lo, lo | S2AP_W) === lo) return true;
  }
}
