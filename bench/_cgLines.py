#!/usr/bin/env python3
# Not a bench (leading _): per-TypeScript-line instruction counts of V8's optimized code in a callgrind run
# (session 15 (e); docs/ARCHITECTURE.md "Session 15 (e)"). Record (one run, ~3 min under valgrind):
#   valgrind --tool=callgrind --dump-instr=yes --separate-threads=yes --callgrind-out-file=/tmp/cg/out.%p \
#     node --perf-basic-prof --print-opt-code --code-comments --no-concurrent-recompilation \
#     .cache/bench/_warmReplay.mjs exact-lru 10 1 > /tmp/cg/log 2>&1
# then: python3 bench/_cgLines.py /tmp/cg/out.<pid>-<worker tid> /tmp/cg/log .cache/workers/sim-worker-lone.mjs fault evictOne
# (every compiled version of each named function, with its lines by count; TOP=n lines). LINE=file.ts:123
# ADDR=0x<code start> prints that line's instructions with their counts. Counts are self costs of the
# function's own code (inlined callees included, calls excluded). Use the bundle (and .map) of the recorded run:
# after a rebuild the source positions point elsewhere.
import sys, re, bisect, json, subprocess, collections, os
cgf, logf, bundle = sys.argv[1:4]
want = set(sys.argv[4:])
# --- parse callgrind self costs per instruction address
costs = collections.Counter()
def parse_pos(tok, prev):
    if tok == '*': return prev
    if tok[0] in '+-':
        v = int(tok[1:], 16) if tok[1:].startswith('0x') else int(tok[1:])
        return prev + v if tok[0] == '+' else prev - v
    return int(tok, 16) if tok.startswith('0x') else int(tok)
prev = 0
skip = False
with open(cgf) as f:
    for line in f:
        c = line[0]
        if c.isdigit() or c in '+-*':
            parts = line.split()
            a = parse_pos(parts[0], prev)
            prev = a
            if skip: skip = False; continue
            if len(parts) >= 3: costs[a] += int(parts[2])
        elif line.startswith('calls='):
            skip = True
# --- parse opt code
codes = []
cur = None
mode = None
with open(logf, errors='replace') as f:
    for line in f:
        if line.startswith('--- Optimized code ---'):
            cur = {'name': None, 'instr': [], 'pos': [], 'start': None}; codes.append(cur); mode = None; continue
        if cur is None: continue
        if line.startswith('name = '): cur['name'] = line[7:].strip(); continue
        if line.startswith('Instructions (size'): mode = 'ins'; continue
        if line.startswith('Source positions:'): mode = 'pos'; continue
        if line.startswith('Inlined functions') or line.startswith('Deoptimization') or line.startswith('Safepoints') or line.startswith('RelocInfo'):
            mode = None; continue
        if mode == 'ins':
            m = re.match(r'0x([0-9a-f]+)\s+([0-9a-f]+)\s+\S+\s+(.*)', line)
            if m:
                addr = int(m.group(1), 16)
                if cur['start'] is None: cur['start'] = addr
                cur['instr'].append((addr, int(m.group(2), 16), m.group(3).rstrip()))
        elif mode == 'pos':
            m = re.match(r'\s+([0-9a-f]+)\s+(\S+)', line)
            if m and m.group(1) != 'pc':
                p = m.group(2)
                mm = re.match(r'<(\d+):(\d+)>', p)
                pos = int(mm.group(2)) if mm else int(p)
                cur['pos'].append((int(m.group(1), 16), pos))
# --- char offset -> bundle line/col -> source map
src = open(bundle, encoding='utf-8').read()
linestarts = [0]
for i, ch in enumerate(src):
    if ch == '\n': linestarts.append(i + 1)
# node strings index by UTF-16 units; bundle is ascii mostly
smap = json.load(open(bundle + '.map'))
# decode VLQ mappings
B64 = {c: i for i, c in enumerate('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')}
def vlq(s):
    out = []; val = 0; shift = 0
    for ch in s:
        d = B64[ch]; cont = d & 32; d &= 31; val += d << shift
        if cont: shift += 5
        else:
            neg = val & 1; val >>= 1; out.append(-val if neg else val); val = 0; shift = 0
    return out
maplines = []
srcidx = 0; sline = 0; scol = 0
for gl in smap['mappings'].split(';'):
    segs = []; gcol = 0
    for seg in gl.split(','):
        if not seg: continue
        v = vlq(seg); gcol += v[0]
        if len(v) >= 4:
            srcidx += v[1]; sline += v[2]; scol += v[3]
            segs.append((gcol, srcidx, sline))
    maplines.append(segs)
def where(pos):
    ln = bisect.bisect_right(linestarts, pos) - 1
    col = pos - linestarts[ln]
    segs = maplines[ln] if ln < len(maplines) else []
    cols = [s[0] for s in segs]
    i = bisect.bisect_right(cols, col) - 1
    if i < 0: return f'bundle:{ln+1}'
    s = segs[i]
    return f"{smap['sources'][s[1]].replace('../../','')}:{s[2]+1}"
# --- attribute
for code in codes:
    if want and code['name'] not in want: continue
    if not code['instr']: continue
    tot = 0
    perline = collections.Counter()
    pos = sorted(code['pos'])
    pcs = [p[0] for p in pos]
    start = code['start']
    for addr, off, text in code['instr']:
        c = costs.get(addr, 0)
        if not c: continue
        tot += c
        i = bisect.bisect_right(pcs, off) - 1
        key = where(pos[i][1]) if i >= 0 else '?'
        perline[key] += c
    if tot == 0: continue
    print(f'=== {code["name"]} @{hex(start)} total {tot:,}')
    for k, v in perline.most_common(int(os.environ.get("TOP","40"))):
        print(f'{v:>13,} {100*v/tot:5.1f}%  {k}')
# optional: dump asm with costs for a given source line: env LINE=file:line ADDR=start
import os
if os.environ.get('LINE'):
    L = os.environ['LINE']; A = int(os.environ['ADDR'], 16)
    for code in codes:
        if code['start'] != A: continue
        pos = sorted(code['pos']); pcs = [p[0] for p in pos]
        for addr, off, text in code['instr']:
            i = bisect.bisect_right(pcs, off) - 1
            key = where(pos[i][1]) if i >= 0 else '?'
            if key.endswith(L):
                print(f'{costs.get(addr,0):>12,} {off:5x} {text}')
