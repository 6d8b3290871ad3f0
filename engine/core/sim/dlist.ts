/**
 * Circular doubly-linked lists over two Int32Arrays (prev/next) in a guest's page region.
 * Nodes 0..pages-1 are pages; node `pages + k` is the sentinel head of list k. Insert at the
 * head (newest), take from the tail (oldest). O(1) everything, no allocation: the structure
 * every LRU-like policy here is built from.
 *
 * Contract: a page node is on at most one list; `remove` requires it to be on one.
 */
export class DList {
  constructor(
    readonly a: Int32Array,
    readonly prevBase: number,
    readonly nextBase: number,
  ) {}

  init(head: number): void {
    this.a[this.prevBase + head] = head;
    this.a[this.nextBase + head] = head;
  }

  isEmpty(head: number): boolean {
    return this.a[this.nextBase + head] === head;
  }

  /** Oldest node of the list, or -1 when empty. */
  tail(head: number): number {
    const t = this.a[this.prevBase + head];
    return t === head ? -1 : t;
  }

  insertHead(head: number, node: number): void {
    const a = this.a;
    const first = a[this.nextBase + head];
    a[this.nextBase + node] = first;
    a[this.prevBase + node] = head;
    a[this.prevBase + first] = node;
    a[this.nextBase + head] = node;
  }

  remove(node: number): void {
    const a = this.a;
    const p = a[this.prevBase + node];
    const n = a[this.nextBase + node];
    a[this.nextBase + p] = n;
    a[this.prevBase + n] = p;
    a[this.prevBase + node] = -1;
    a[this.nextBase + node] = -1;
  }

  /**
   * A page node on no list has an unused next link: a caller may keep one Int32 there (spare) until the
   * node is inserted again, which overwrites it. The swap slot of a swapped-out page lives there
   * (mm/swapReadahead.ts), so slots cost no memory per page.
   */
  spare(node: number): number {
    return this.a[this.nextBase + node];
  }

  setSpare(node: number, v: number): void {
    this.a[this.nextBase + node] = v;
  }

  /** Whether a page node that was on a list is on one now (`remove` leaves its links at -1). */
  linked(node: number): boolean {
    return this.a[this.prevBase + node] >= 0;
  }

  moveToHead(head: number, node: number): void {
    this.remove(node);
    this.insertHead(head, node);
  }

  /** Insert at the tail (oldest end): the kernel's list_add_tail. */
  insertTail(head: number, node: number): void {
    const a = this.a;
    const last = a[this.prevBase + head];
    a[this.prevBase + node] = last;
    a[this.nextBase + node] = head;
    a[this.nextBase + last] = node;
    a[this.prevBase + head] = node;
  }

  /** list_move_tail. */
  moveToTail(head: number, node: number): void {
    this.remove(node);
    this.insertTail(head, node);
  }
}
