/**
 * Classic two-list LRU (Linux before MGLRU): new pages join the inactive list; reclaim keeps the
 * inactive list at least as long as the active one by deactivating the active tail
 * (shrink_active_list: its AF is tested and cleared, and it moves to the inactive head whatever
 * the answer, as for anonymous pages), then scans the inactive tail (shrink_inactive_list):
 * young → activate, old → evict.
 */
import type { DList } from '../dlist.ts';
import type { Harvester } from '../harvest.ts';
import type { Policy } from './policy.ts';

const TAG_ACTIVE = 1;
const TAG_INACTIVE = 2;

export class ActiveInactive implements Policy {
  readonly seesEveryAccess = false;
  readonly agesPeriodically = false;
  private readonly active: number;
  private readonly inactive: number;
  private nActive = 0;
  private nInactive = 0;

  constructor(
    private readonly list: DList,
    private readonly tag: Int32Array,
    private readonly tagBase: number,
    pages: number,
  ) {
    this.active = pages;
    this.inactive = pages + 1;
    list.init(this.active);
    list.init(this.inactive);
  }

  onMap(gfn: number): void {
    this.list.insertHead(this.inactive, gfn);
    this.tag[this.tagBase + gfn] = TAG_INACTIVE;
    this.nInactive++;
  }

  onAccess(): void {}

  pickVictim(h: Harvester): number {
    const list = this.list;
    // Bounded: each page is activated at most once per call before it is seen old.
    for (let budget = 2 * (this.nActive + this.nInactive) + 2; budget > 0; budget--) {
      if (this.nActive > this.nInactive) {
        const a = list.tail(this.active);
        h.testClearYoungOne(a);
        list.moveToHead(this.inactive, a);
        this.tag[this.tagBase + a] = TAG_INACTIVE;
        this.nActive--;
        this.nInactive++;
        continue;
      }
      const v = list.tail(this.inactive);
      if (v < 0) return -1;
      if (h.testClearYoungOne(v)) {
        list.moveToHead(this.active, v);
        this.tag[this.tagBase + v] = TAG_ACTIVE;
        this.nInactive--;
        this.nActive++;
        continue;
      }
      list.remove(v);
      this.nInactive--;
      return v;
    }
    const v = list.tail(this.inactive);
    if (v < 0) return -1;
    list.remove(v);
    this.nInactive--;
    return v;
  }

  age(): void {}

  beginAging(): void {}

  ageStep(): boolean {
    return false;
  }
}
