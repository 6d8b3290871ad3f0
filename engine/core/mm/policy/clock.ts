/**
 * CLOCK with the stage-2 AF as the reference bit. Pages join at the head in fault order; the hand
 * looks at the oldest: young (folio_referenced found AF set and cleared it) → move to the head,
 * old → evict. With new pages mapped old (reclaim.mapYoung = false), FEAT_HAFDBS, no TLB, this is
 * the reference CLOCK exactly (new object bit 0, hit sets 1). With no accessed information
 * (harvest 'none') every page looks old and CLOCK degenerates to FIFO.
 */
import { OneListPolicy } from './oneList.ts';
import { SCAN_AGAIN, type Reclaimer } from './policy.ts';

export class Clock extends OneListPolicy {
  readonly seesEveryAccess = false;

  onAccess(): void {}

  pickVictim(r: Reclaimer): number {
    const list = this.list;
    for (;;) {
      const v = list.tail(this.head);
      if (v < 0) return -1;
      if (r.referenced(v, null)) {
        list.moveToHead(this.head, v);
        if (r.spent()) return SCAN_AGAIN;
        continue;
      }
      list.remove(v);
      this.n--;
      return v;
    }
  }
}
