// bench/_util.ts hookMethod: a diagnostic's hook on a method that a refactor moved must throw, not install
// a wrapper nobody calls (bench/_harvestAudit.ts and _seedDiag.ts printed 0 that way, session 12).
// Negative control (run by hand): hookMethod without its typeof check (a plain `t[name] = wrap(orig)`) makes
// the two "throws" tests fail: the hook installs on the missing name and nothing is thrown.
// mustRun / checkHooksRan (a hook that exists but is never called must throw at the diagnostic's end).
// Negative control (run by hand): hookMethod ignoring opts.mustRun (always `t[name] = w`) makes "names the
// hooks that never ran" fail (checkHooksRan throws nothing); checkHooksRan without `mustRunHooks.length = 0`
// makes "forgets the hooks it checked" fail.
import { describe, expect, it } from 'vitest';
import { checkHooksRan, hookMethod } from '../../bench/_util.ts';

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

  it('mustRun: counts through the wrapper, and checkHooksRan passes once each hook ran', () => {
    const proto = Object.create(Node.prototype) as Node;
    hookMethod(
      proto,
      'step',
      (orig) =>
        function (this: Node, k: number) {
          return orig.call(this, k + 1);
        },
      { mustRun: true },
    );
    const x = Object.create(proto) as Node;
    x.n = 0; // Object.create runs no constructor
    expect(x.step(1)).toBe(2); // the wrapper's result passes through the counting layer
    expect(() => checkHooksRan()).not.toThrow();
  });

  it('mustRun: checkHooksRan names the hooks that never ran, not those that did', () => {
    const a = Object.create(Node.prototype) as Node;
    const b = Object.create(Base.prototype) as Base;
    hookMethod(a, 'step', (orig) => orig, { mustRun: true });
    hookMethod(b, 'step', (orig) => orig, { mustRun: true });
    hookMethod(Object.create(Node.prototype) as Node, 'step', (orig) => orig); // not mustRun: never checked
    (Object.create(b) as Base).step(1);
    expect(() => checkHooksRan()).toThrow(/^hook\(s\) never called: Node\.step: the diagnostic's hooks are stale/);
  });

  it('checkHooksRan forgets the hooks it checked, thrown or not', () => {
    hookMethod(Object.create(Node.prototype) as Node, 'step', (orig) => orig, { mustRun: true });
    expect(() => checkHooksRan()).toThrow('Node.step');
    expect(() => checkHooksRan()).not.toThrow();
  });
});
