#!/usr/bin/env python3
# Not a bench (leading _): per-function self instruction counts of a callgrind run of node, JIT code named through
# node's perf map (session 17 (d); docs/ARCHITECTURE.md "Session 17 (d)"). bench/_cgLines.py splits one named
# function by TypeScript line; this lists every function of the thread, so two policies' runs can be set side by
# side. Record (one run, ~2-4 min under valgrind):
#   valgrind --tool=callgrind --dump-instr=yes --separate-threads=yes --callgrind-out-file=/tmp/cg/out.%p \
#     node --perf-basic-prof --no-concurrent-recompilation .cache/bench/_warmReplay.mjs mglru 10 1
# then: python3 bench/_cgFunctions.py /tmp/cg/out.<pid>-<worker tid> /tmp/perf-<pid>.map [top]
# (the worker thread is the file with the largest `summary:`). Names: `JIT JS:*f` optimized, `^f` baseline
# (Sparkplug), `~f` interpreted; `JIT ?` is code in no perf-map entry (node's own unnamed code); everything else is
# callgrind's own symbol. `--perf-basic-prof` logs each code object, which costs the run ~30-60 % more instructions
# (Code::OffHeapBuiltinContains, vfprintf): compare JIT functions between runs, not totals with a plain run.
import bisect
import collections
import re
import sys

cgf, pmap = sys.argv[1:3]
top = int(sys.argv[3]) if len(sys.argv) > 3 else 60

ents = []
for line in open(pmap, errors='replace'):
    p = line.rstrip('\n').split(' ', 2)
    if len(p) == 3:
        ents.append((int(p[0], 16), int(p[1], 16), p[2]))
ents.sort()
starts = [e[0] for e in ents]


def jitname(a):
    i = bisect.bisect_right(starts, a) - 1
    while i >= 0:
        s, n, name = ents[i]
        if s <= a < s + n:
            return name
        if a - s > 1 << 20:
            break
        i -= 1
    return '?'


def parse_pos(tok, prev):
    if tok == '*':
        return prev
    if tok[0] in '+-':
        v = int(tok[1:], 16) if tok[1:].startswith('0x') else int(tok[1:])
        return prev + v if tok[0] == '+' else prev - v
    return int(tok, 16) if tok.startswith('0x') else int(tok)


fnames = {}
costs = collections.Counter()
cur = None
prev = 0
skip = False
total = 0
for line in open(cgf):
    c = line[0]
    if c.isdigit() or c in '+-*':
        parts = line.split()
        a = parse_pos(parts[0], prev)
        prev = a
        if skip:  # the cost line after calls= is the callee's inclusive cost
            skip = False
            continue
        if len(parts) >= 3:
            v = int(parts[2])
            total += v
            if cur is None or cur.startswith('0x'):
                costs[('J', a)] += v
            else:
                costs[('F', cur)] += v
    elif line.startswith('fn='):
        m = re.match(r'fn=\((\d+)\)(?: (.*))?', line.strip())
        if m:
            if m.group(2):
                fnames[m.group(1)] = m.group(2)
            cur = fnames.get(m.group(1))
    elif line.startswith('calls='):
        skip = True

agg = collections.Counter()
for (k, x), v in costs.items():
    agg['JIT ' + jitname(x) if k == 'J' else x] += v
print(f'total self {total:,}')
short = re.compile(r'file://[^ ]*?([^/ ]+[.]mjs)')
for n, v in agg.most_common(top):
    name = short.sub(lambda m: m.group(1), n)[:150]
    print(f'{v:>14,} {100 * v / total:5.1f}%  {name}')
