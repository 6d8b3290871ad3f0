/**
 * Exact LRU: every access moves the page to the head; the victim is the tail. It sees every
 * access (which no real reclaim can), so it is the upper bound, and with one vCPU and demand
 * eviction it reproduces the reference LRU miss counts exactly (the trace oracle).
 */
import { OneListPolicy } from './oneList.ts';

export class ExactLru extends OneListPolicy {
  readonly seesEveryAccess = true;

  onAccess(id: number): void {
    this.list.moveToHead(this.head, id);
  }

  pickVictim(): number {
    const v = this.list.tail(this.head);
    if (v >= 0) {
      this.list.remove(v);
      this.n--;
    }
    return v;
  }
}
