import { describe, expect, it } from 'vitest';
import { arenaStats } from '../../engine/core/arch/arena.ts';
import { leafAttrs, pteWritable, pteYoung } from '../../engine/core/arch/descriptor.ts';
import { createArena, PAGE_SIZE } from '../../engine/core/layout.ts';
import {
  handleAccessFlagFault,
  handlePermissionFault,
  handleStage2Fault,
  hardwareMkyoung,
  mmuAttach,
  mmuInit,
  mmuPoll,
  mmuTestClearYoung,
  mmuTryTestClearYoung,
  unmapRange,
} from '../../engine/core/kvm/mmu.ts';
import { attachMmuLock, readUnlock, tryRead, tryWrite, writeUnlock } from '../../engine/core/kvm/mmuLock.ts';
import { EAGAIN, stage2GetLeaf } from '../../engine/core/arch/pgtable.ts';
import { rcuBarrier, rcuReadLock, rcuReadUnlock, rcuRegisterThread, rcuStats } from '../../engine/core/sync/rcu.ts';

const setup = (options = {}) => {
  const views = createArena({ tablePages: 64, maxThreads: 4, maxLocks: 1, debugPoison: true });
  const rcu = rcuRegisterThread(views);
  return { views, rcu, m: mmuInit(views, rcu, 0, options) };
};
const lo = (m: ReturnType<typeof setup>['m'], gfn: number): number =>
  m.views.i32[stage2GetLeaf(m.pgt, gfn * PAGE_SIZE)];

describe('mmu composition', () => {
  it('unmap frees emptied tables only after a grace period, through callRcu', () => {
    const { views, m } = setup();
    expect(handleStage2Fault(m, 0, 512 * PAGE_SIZE, 100, leafAttrs(), { shared: false })).toBe(0);
    const mapped = arenaStats(views).inUse; // root + L1 + L2 + L3
    expect(mapped).toBe(4);
    const reader = rcuRegisterThread(views);
    rcuReadLock(reader); // a lockless walker in the middle of the tables
    expect(unmapRange(m, 0, 512 * PAGE_SIZE)).toBe(0);
    expect(rcuStats(views)).toMatchObject({ pagesAwaiting: 3, callbacksPending: 3 });
    mmuPoll(m);
    expect(arenaStats(views).inUse).toBe(mapped); // still readable by the walker
    rcuReadUnlock(reader);
    mmuPoll(m);
    expect(arenaStats(views)).toMatchObject({ inUse: 1, uaf: 0, poisonReads: 0 });
    expect(rcuStats(views).pagesAwaiting).toBe(0);
  });

  it('negative control: unsafeFreeWithoutGracePeriod frees at once', () => {
    const { views, m } = setup({ unsafeFreeWithoutGracePeriod: true });
    handleStage2Fault(m, 0, 512 * PAGE_SIZE, 100, leafAttrs(), { shared: false });
    unmapRange(m, 0, 512 * PAGE_SIZE);
    expect(arenaStats(views).inUse).toBe(1);
    expect(rcuStats(views).callbacksPending).toBe(0);
  });

  it('fault paths set AF and S2AP W; the shared map reports a spurious fault as EAGAIN', () => {
    const { m } = setup();
    const ro = leafAttrs({ write: false, young: false });
    expect(handleStage2Fault(m, 0, PAGE_SIZE, 7, ro)).toBe(0); // shared by default
    expect(handleStage2Fault(m, 0, PAGE_SIZE, 7, ro)).toBe(EAGAIN);
    expect(pteYoung(lo(m, 0))).toBe(false);
    expect(handleAccessFlagFault(m, 0)).toBe(true);
    expect(handleAccessFlagFault(m, 0)).toBe(false);
    expect(handlePermissionFault(m, 0)).toBe(true);
    expect(pteWritable(lo(m, 0))).toBe(true);
    expect(hardwareMkyoung(m, PAGE_SIZE)).toBe(false); // unmapped
  });

  it('testClearYoung in every protection mode; the try variant backs off when the lock is taken', () => {
    const { views, rcu, m } = setup();
    handleStage2Fault(m, 0, 64 * PAGE_SIZE, 100, leafAttrs({ young: true }), { shared: false });
    for (const how of ['lockless', 'read', 'write'] as const) {
      const bitmap = new Uint32Array([~0, ~0]);
      mmuTestClearYoung(m, how, 0, 64, 63, bitmap);
      expect(Array.from(bitmap)).toEqual([0, 0]); // every page was young: bits toggled, AF cleared
      for (let g = 0; g < 64; g++) expect(hardwareMkyoung(m, g * PAGE_SIZE)).toBe(true);
    }
    const other = mmuAttach(views, rcu, 0, m.pgt.root, { mayBlock: false });
    const holder = attachMmuLock(views, 0);
    expect(tryWrite(holder)).toBe(true);
    expect(mmuTryTestClearYoung(other, 'read', 0, 64, 63, new Uint32Array(2))).toBe('busy');
    expect(mmuTryTestClearYoung(other, 'lockless', 0, 64, 63, new Uint32Array(2))).toBe('ok');
    writeUnlock(holder);
    expect(tryRead(holder)).toBe(true);
    expect(mmuTryTestClearYoung(other, 'read', 0, 64, 63, new Uint32Array(2))).toBe('ok');
    expect(mmuTryTestClearYoung(other, 'write', 0, 64, 63, new Uint32Array(2))).toBe('busy');
    readUnlock(holder);
    expect(() => handleAccessFlagFault(other, 0)).toThrow(/must not block/);
    rcuBarrier(rcu);
  });
});
