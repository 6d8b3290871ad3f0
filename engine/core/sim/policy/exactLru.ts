/**
 * Exact LRU: every access moves the page to the head; the victim is the tail. It sees every
 * access (which no real reclaim can), so it is the upper bound, and with one vCPU and demand
 * eviction it reproduces the reference LRU miss counts exactly (the trace oracle).
 */
import type { DList } from '../dlist.ts';
import type { Policy } from './policy.ts';

export class ExactLru implements Policy {
  readonly seesEveryAccess = true;
  readonly agesPeriodically = false;
  private readonly head: number;

  constructor(
    private readonly list: DList,
    pages: number,
  ) {
    this.head = pages;
    list.init(this.head);
  }

  onMap(gfn: number): void {
    this.list.insertHead(this.head, gfn);
  }

  onAccess(gfn: number): void {
    this.list.moveToHead(this.head, gfn);
  }

  pickVictim(): number {
    const v = this.list.tail(this.head);
    if (v >= 0) this.list.remove(v);
    return v;
  }

  age(): void {}

  beginAging(): void {}

  ageStep(): boolean {
    return false;
  }
}
