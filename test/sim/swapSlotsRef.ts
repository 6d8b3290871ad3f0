/**
 * A slow reference model of the kernel's swap slot allocation on an SSD (mm/swapfile.c
 * scan_swap_map_slots with scan_swap_map_try_ssd_cluster, mm/swap_slots.c folio_alloc_swap and
 * free_swap_slot), written for clarity, not speed: swap_map is a plain array of numbers, a cluster's
 * usage is counted from swap_map whenever it is needed, the free cluster list is a JS array, and
 * scan_swap_map_slots is a goto-for-goto state machine over its labels. engine/core/mm/swapSlots.ts
 * must hand out, hold and free exactly the same slots.
 */
import { Prng } from '../../engine/core/sim/prng.ts';

const CLUSTER = 512;
const CACHE = 64;
const SPACE = 1 << 14;
const LATENCY_LIMIT = 256;
const COLS = 32;

interface Cpu {
  cluster: number | null;
  next: number;
  nextCpu: number | null;
  slots: number[];
  ret: number[];
}

export class RefSwapSlots {
  /** 0 free, 1 SWAP_HAS_CACHE (or a page's). */
  readonly map: number[];
  readonly max: number;
  readonly pages: number;
  lowest = 1;
  highest: number;
  inuse = 0;
  /** Clusters on si->free_clusters, head first. */
  freeList: number[] = [];
  private readonly cpus = new Map<number, Cpu>();
  private readonly rng: Prng;

  constructor(deviceSlots: number, seed = 1) {
    this.max = Math.max(2, deviceSlots);
    this.pages = this.max - 1;
    this.highest = this.max - 1;
    this.rng = new Prng(seed, 0x5a0);
    const n = Math.ceil(this.max / CLUSTER);
    this.map = new Array<number>(n * CLUSTER).fill(0);
    for (let s = this.max; s < n * CLUSTER; s++) this.map[s] = 1;
    this.map[0] = 1;
    for (let k = 0; k < COLS; k++)
      for (let idx = k; idx < n; idx += COLS) if (this.usage(idx) === 0) this.freeList.push(idx);
  }

  usage(c: number): number {
    let u = 0;
    for (let s = c * CLUSTER; s < (c + 1) * CLUSTER; s++) if (this.map[s] !== 0) u++;
    return u;
  }

  private cpu(id: number): Cpu {
    let c = this.cpus.get(id);
    if (c === undefined) {
      c = { cluster: null, next: 0, nextCpu: null, slots: [], ret: [] };
      this.cpus.set(id, c);
    }
    if (c.nextCpu === null) c.nextCpu = this.rand(1, this.max - 1);
    return c;
  }

  private rand(lo: number, hi: number): number {
    return lo + (this.rng.nextU32() % (hi - lo + 1));
  }

  alloc(cpuId: number): number {
    const c = this.cpu(cpuId);
    if (c.slots.length === 0) c.slots = this.getSwapPages(CACHE, c);
    if (c.slots.length > 0) return c.slots.shift() as number;
    const one = this.getSwapPages(1, c);
    return one.length > 0 ? one[0] : -1;
  }

  free(s: number, cpuId: number): void {
    const c = this.cpu(cpuId);
    if (c.ret.length >= CACHE) {
      for (const r of c.ret) this.entryFree(r);
      c.ret = [];
    }
    c.ret.push(s);
  }

  private entryFree(s: number): void {
    this.map[s] = 0;
    const ci = Math.floor(s / CLUSTER);
    if (this.usage(ci) === 0) this.freeList.push(ci);
    if (s < this.lowest) this.lowest = s;
    if (s > this.highest) this.highest = s;
    this.inuse--;
  }

  private getSwapPages(goal: number, c: Cpu): number[] {
    const avail = this.pages - this.inuse;
    if (avail <= 0 || this.highest === 0) return [];
    return this.scan(Math.min(goal, CACHE, avail), c);
  }

  private tryCluster(c: Cpu): number | null {
    for (;;) {
      if (c.cluster === null) {
        if (this.freeList.length === 0) return null;
        c.cluster = this.freeList[0];
        c.next = c.cluster * CLUSTER;
      }
      const max = Math.min(this.max, (c.cluster + 1) * CLUSTER);
      let tmp = c.next;
      while (tmp < max && this.map[tmp] !== 0) tmp++;
      if (tmp >= max) {
        c.cluster = null;
        continue;
      }
      c.next = tmp + 1;
      return tmp;
    }
  }

  private conflict(c: Cpu, offset: number): boolean {
    const ci = Math.floor(offset / CLUSTER);
    if (this.freeList.length > 0 && ci !== this.freeList[0] && this.freeList.includes(ci)) {
      c.cluster = null;
      return true;
    }
    return false;
  }

  private scan(nr: number, c: Cpu): number[] {
    const got: number[] = [];
    let latency = LATENCY_LIMIT;
    let scannedMany = false;
    let scanBase = c.nextCpu as number;
    let offset = scanBase;
    const setNext = (): number[] => {
      let next = offset + 1;
      if (Math.floor((c.nextCpu as number) / SPACE) !== Math.floor(next / SPACE)) {
        if (this.highest <= this.lowest) return got;
        next = this.rand(this.lowest, this.highest);
        next = Math.max(next - (next % SPACE), this.lowest);
      }
      c.nextCpu = next;
      return got;
    };
    let label = 'start';
    for (;;) {
      switch (label) {
        case 'start': {
          const t = this.tryCluster(c);
          if (t === null) label = 'scan';
          else {
            offset = scanBase = t;
            label = 'checks';
          }
          break;
        }
        case 'checks': {
          label = '';
          while (this.conflict(c, offset)) {
            if (got.length > 0) return setNext();
            const t = this.tryCluster(c);
            if (t === null) {
              label = 'scan';
              break;
            }
            offset = scanBase = t;
          }
          if (label === 'scan') break;
          if (this.highest === 0) return got;
          if (offset > this.highest) scanBase = offset = this.lowest;
          if (this.map[offset] !== 0) {
            if (got.length === 0) {
              label = 'scan';
              break;
            }
            return setNext();
          }
          // take: alloc_cluster when the cluster was free (it must be the list's head).
          const ci = Math.floor(offset / CLUSTER);
          const at = this.freeList.indexOf(ci);
          if (at > 0) throw new Error('allocating from a free cluster that is not the head');
          if (at === 0) this.freeList.shift();
          this.map[offset] = 1;
          if (offset === this.lowest) this.lowest++;
          if (offset === this.highest) this.highest--;
          this.inuse++;
          if (this.inuse === this.pages) {
            this.lowest = this.max;
            this.highest = 0;
          }
          got.push(offset);
          if (got.length === nr || offset >= this.highest) return setNext();
          if (--latency < 0) {
            if (got.length > 0) return setNext();
            latency = LATENCY_LIMIT;
          }
          const t = this.tryCluster(c);
          if (t !== null) {
            offset = scanBase = t;
            label = 'checks';
            break;
          }
          if (!scannedMany) {
            const limit = offset < scanBase ? scanBase : this.highest;
            for (; offset <= limit && --latency > 0; offset++)
              if (this.map[offset] === 0) {
                label = 'checks';
                break;
              }
            if (label === 'checks') break;
          }
          return setNext();
        }
        case 'scan': {
          label = 'none';
          while (++offset <= this.highest) {
            if (--latency < 0) {
              latency = LATENCY_LIMIT;
              scannedMany = true;
            }
            if (this.map[offset] === 0) {
              label = 'checks';
              break;
            }
          }
          if (label === 'checks') break;
          offset = this.lowest;
          while (offset < scanBase) {
            if (--latency < 0) {
              latency = LATENCY_LIMIT;
              scannedMany = true;
            }
            if (this.map[offset] === 0) {
              label = 'checks';
              break;
            }
            offset++;
          }
          if (label === 'checks') break;
          return got;
        }
        default:
          throw new Error(`label ${label}`);
      }
    }
  }
}
