/**
 * CLOCK with the stage-2 AF as the reference bit. Pages join at the head in fault order; the hand
 * looks at the oldest: young (AF was set; test-clear-young clears it) → move to the head,
 * old → evict. With new pages mapped old (reclaim.mapYoung = false), FEAT_HAFDBS, no TLB, this is
 * the reference CLOCK exactly (new object bit 0, hit sets 1). With no accessed information
 * (harvest 'none') every page looks old and CLOCK degenerates to FIFO.
 */
import type { Harvester } from '../harvest.ts';
import { OneListPolicy } from './oneList.ts';

export class Clock extends OneListPolicy {
  readonly seesEveryAccess = false;

  onAccess(): void {}

  pickVictim(h: Harvester): number {
    const list = this.list;
    for (;;) {
      const v = list.tail(this.head);
      if (v < 0) return -1;
      if (h.testClearYoungOne(v)) {
        list.moveToHead(this.head, v);
        continue;
      }
      list.remove(v);
      return v;
    }
  }
}
