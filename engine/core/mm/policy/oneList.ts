/**
 * What CLOCK and exact LRU share: the resident pages on one list (its head node is `headBase`),
 * new pages joining at the head in fault order, and no aging passes (CLOCK's hand moves inside
 * pickVictim, only when reclaim needs a victim). Each subclass says how an access or an eviction
 * moves pages.
 */
import type { DList } from '../../sim/dlist.ts';
import type { Policy, Reclaimer } from './policy.ts';

export abstract class OneListPolicy implements Policy {
  abstract readonly seesEveryAccess: boolean;
  protected readonly head: number;
  protected n = 0;

  constructor(
    protected readonly list: DList,
    headBase: number,
  ) {
    this.head = headBase;
    list.init(this.head);
  }

  onMap(id: number): void {
    this.list.insertHead(this.head, id);
    this.n++;
  }

  abstract onAccess(id: number): void;

  abstract pickVictim(r: Reclaimer, inlineAging: boolean): number;

  size(): number {
    return this.n;
  }

  /** Not a kernel policy: no too_many_isolated. */
  inactivePages(): number {
    return -1;
  }

  wantsAging(): boolean {
    return false;
  }

  beginAging(): void {}

  ageStep(): boolean {
    return false;
  }
}
