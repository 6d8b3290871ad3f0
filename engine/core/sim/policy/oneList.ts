/**
 * What CLOCK and exact LRU share: the resident pages on one list (its head node is the slot after
 * the guest's pages), new pages joining at the head in fault order, and no aging passes (CLOCK's
 * hand moves inside pickVictim, only when reclaim needs a victim). Each subclass says how an access
 * or an eviction moves pages.
 */
import type { DList } from '../dlist.ts';
import type { Harvester } from '../harvest.ts';
import type { Policy } from './policy.ts';

export abstract class OneListPolicy implements Policy {
  abstract readonly seesEveryAccess: boolean;
  protected readonly head: number;

  constructor(
    protected readonly list: DList,
    pages: number,
  ) {
    this.head = pages;
    list.init(this.head);
  }

  onMap(gfn: number): void {
    this.list.insertHead(this.head, gfn);
  }

  abstract onAccess(gfn: number): void;

  abstract pickVictim(h: Harvester, inlineAging: boolean): number;

  wantsAging(): boolean {
    return false;
  }

  beginAging(): void {}

  ageStep(): boolean {
    return false;
  }
}
