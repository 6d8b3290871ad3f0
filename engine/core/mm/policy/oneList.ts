/**
 * What CLOCK and exact LRU share: the resident pages on one list (its head node is `headBase`),
 * new pages joining at the head in fault order, and no aging passes (CLOCK's hand moves inside
 * pickVictim, only when reclaim needs a victim). Each subclass says how an access or an eviction
 * moves pages.
 */
import type { DList } from '../../sim/dlist.ts';
import type { Policy, Reclaimer } from './policy.ts';

/** Doubles of a one-list policy's state (its page count). */
export const ONE_LIST_WORDS = 1;

export abstract class OneListPolicy implements Policy {
  abstract readonly seesEveryAccess: boolean;
  protected readonly head: number;

  constructor(
    protected readonly list: DList,
    headBase: number,
    /** The page count, in a local array or a spread run's shared lruvec state (mm/sharedLru.ts). */
    private readonly state: Float64Array = new Float64Array(ONE_LIST_WORDS),
    /** False: list and state were initialised already (a shared lruvec attached by another worker). */
    fresh = true,
  ) {
    this.head = headBase;
    if (!fresh) return;
    state[0] = 0;
    list.init(this.head);
  }

  onMap(id: number): void {
    this.list.insertHead(this.head, id);
    this.n++;
  }

  /** folio_mark_accessed has nothing here to model (Policy.markAccessedN): exact LRU and CLOCK take no marks. */
  markAccessedN(_id: number, _n: number): void {}

  protected get n(): number {
    return this.state[0];
  }

  protected set n(v: number) {
    this.state[0] = v;
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

  beginAging(): boolean {
    return true;
  }

  ageStep(): boolean {
    return false;
  }
}
