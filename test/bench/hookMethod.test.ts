// bench/_util.ts hookMethod: a diagnostic's hook on a method that a refactor moved must throw, not install
// a wrapper nobody calls (bench/_harvestAudit.ts and _seedDiag.ts printed 0 that way, session 12).
// Negative control (run by hand): hookMethod without its typeof check (a plain `t[name] = wrap(orig)`) makes
// the two "throws" tests fail: the hook installs on the missing name and nothing is thrown.
import { describe, expect, it } from 'vitest';
import { hookMethod } from '../../bench/_util.ts';

class Base {
  n = 0;
  step(k: number): number {
    this.n += k;
    return this.n;
  }
}
class Node extends Base {
  limit = 3;
}

describe('hookMethod', () => {
  it('wraps an inherited method: the wrapper gets the original and the receiver', () => {
    const proto = Object.create(Node.prototype) as Node; // a fresh prototype level: Node.prototype untouched
    let calls = 0;
    hookMethod(
      proto,
      'step',
      (orig) =>
        function (this: Node, k: number) {
          calls++;
          return orig.call(this, k * 10);
        },
    );
    const x = Object.create(proto) as Node;
    x.n = 1;
    expect(x.step(2)).toBe(21);
    expect(calls).toBe(1);
    expect(new Node().step(2)).toBe(2); // the class itself unchanged
  });

  it('throws for a name that is not there, naming the method and the class', () => {
    expect(() => hookMethod(Node.prototype, 'promoteYoung', (o) => o)).toThrow(
      "promoteYoung is not a method of Node: the diagnostic's hook is stale",
    );
    expect(Object.prototype.hasOwnProperty.call(Node.prototype, 'promoteYoung')).toBe(false);
  });

  it('throws for a field (not a method) of an object', () => {
    expect(() => hookMethod(new Node(), 'limit', (o) => o)).toThrow('limit is not a method of Node');
  });
});
