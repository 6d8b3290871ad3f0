/** Scenario validation: structure, ranges and semantics, every problem listed with its path. */
import { describe, expect, it } from 'vitest';
import {
  validateGuestSpec,
  validateHardwareProfile,
  validateHostSpec,
  validateReclaimSpec,
  validateRunSpec,
  validateScenario,
  validateScenarioStructure,
  validateWorkloadSpec,
} from '../../engine/core/config/index.ts';
import { applyOverrides } from '../../engine/core/config/overrides.ts';
import { guestPath } from '../../engine/core/config/fields.ts';
import { resolveScenario } from '../../engine/core/config/index.ts';
import { loaded, mutate, scenario } from './fixtures.ts';

function problems(x: unknown): string[] {
  const r = validateScenario(x);
  if (r.ok) return [];
  expect(r.error.name).toBe('ValidationError');
  // The message shows what fits in 300 characters; `problems` holds every one (issue 11).
  expect(r.error.message.length).toBeLessThan(300);
  return r.error.problems ?? r.error.message.split('\n').slice(1);
}

describe('validateScenario', () => {
  it('accepts the seed-debate config on each profile', () => {
    for (const hw of ['ampere-altra', 'phone-prev82', 'pkvm'])
      expect(validateScenario(scenario('seed-debate', hw)).ok).toBe(true);
  });

  it('names an unknown key with its path and a suggestion', () => {
    const bad = mutate((c) => {
      const costs = c.hardware.costs as unknown as Record<string, unknown>;
      costs.walkLevl = costs.walkLevel;
      delete costs.walkLevel;
    });
    expect(problems(bad)).toEqual([
      'hardware.costs.walkLevl: unknown key (did you mean walkLevel?)',
      'hardware.costs.walkLevel: missing',
    ]);
  });

  it('lists every problem, not just the first', () => {
    const bad = mutate((c) => {
      (c as Record<string, unknown>).extra = 1;
      c.host.memoryMiB = -5;
      c.guests[0].vcpus = 0;
      c.guests[1].memoryMiB = Number.NaN;
      (c.guests[2] as unknown as Record<string, unknown>).vcpu = 1;
      c.run.sampleIntervalMs = 5000;
      c.hardware.costs.swapIn.source = '  ';
      c.hardware.costs.swapOut.ns = -1;
      (c.reclaim as unknown as Record<string, unknown>).policy = 'mglrU';
    });
    const list = problems(bad);
    expect(list).toEqual(
      expect.arrayContaining([
        'extra: unknown key (expected one of: name, description, hardware, host, guests, reclaim, run)',
        'host.memoryMiB: must be a number > 0 and <= 1,048,576 (1 TiB), got -5',
        "guests[0] 'web'.vcpus: must be an integer >= 1 and <= 512, got 0",
        "guests[1] 'batch'.memoryMiB: must be a number > 0 and <= 1,048,576 (1 TiB), got NaN",
        "guests[2] 'cache'.vcpu: unknown key (did you mean vcpus?)",
        'run.sampleIntervalMs: must be <= durationMs (1500), got 5000',
        'hardware.costs.swapIn.source: must not be empty',
        'hardware.costs.swapOut.ns: must be a number >= 0 and <= 1,000,000,000 (1 s), got -1',
        "reclaim.policy: expected one of 'mglru', 'active-inactive', 'clock', 'exact-lru', got string \"mglrU\" (did you mean 'mglru'?)",
      ]),
    );
    expect(list).toHaveLength(9);
  });

  it.each([
    [
      'guest memory > 1 TiB',
      (c: ReturnType<typeof scenario>) => (c.guests[0].memoryMiB = 2 * 1024 * 1024),
      /guests\[0\] 'web'\.memoryMiB: must be a number > 0/,
    ],
    [
      'vcpus > 512',
      (c: ReturnType<typeof scenario>) => (c.guests[0].vcpus = 513),
      /guests\[0\] 'web'\.vcpus: must be an integer >= 1 and <= 512, got 513/,
    ],
    [
      'fractional vcpus',
      (c: ReturnType<typeof scenario>) => (c.guests[0].vcpus = 1.5),
      /guests\[0\] 'web'\.vcpus: must be an integer/,
    ],
    [
      'memory not whole pages',
      (c: ReturnType<typeof scenario>) => (c.guests[0].memoryMiB = 512.001),
      /whole number of 4 KiB pages/,
    ],
    [
      'absurd duration',
      (c: ReturnType<typeof scenario>) => (c.run.durationMs = 1e9),
      /run\.durationMs: must be a number > 0 and <= 3,600,000/,
    ],
    ['zero duration', (c: ReturnType<typeof scenario>) => (c.run.durationMs = 0), /run\.durationMs/],
    [
      'wrong type',
      (c: ReturnType<typeof scenario>) => ((c.run as unknown as Record<string, unknown>).seed = '1'),
      /run\.seed: expected a number, got string "1"/,
    ],
    [
      'watermark order',
      (c: ReturnType<typeof scenario>) => (c.host.watermarks.minPct = 10),
      /host\.watermarks: must satisfy minPct <= lowPct <= highPct/,
    ],
    [
      'hotPages > pages',
      (c: ReturnType<typeof scenario>) => Object.assign(c.guests[2].workload, { hotPages: 1e6 }),
      /guests\[2\] 'cache'\.workload\.hotPages: must be <= pages/,
    ],
    [
      'unknown workload kind',
      (c: ReturnType<typeof scenario>) => Object.assign(c.guests[0].workload, { kind: 'zipff' }),
      /guests\[0\] 'web'\.workload\.kind: .*\(did you mean 'zipf'\?\)/,
    ],
    [
      'workload key of another kind',
      (c: ReturnType<typeof scenario>) => Object.assign(c.guests[0].workload, { hotPages: 5 }),
      /guests\[0\] 'web'\.workload\.hotPages: unknown key/,
    ],
    ['empty guests', (c: ReturnType<typeof scenario>) => (c.guests = []), /guests: must hold 1 to 64 guests, got 0/],
    [
      'duplicate guest names',
      (c: ReturnType<typeof scenario>) => (c.guests[1].name = c.guests[0].name),
      /guests\[1\] 'web'\.name: duplicate guest name 'web' \(also guests\[0\]\)/,
    ],
    ['tlb entries 0', (c: ReturnType<typeof scenario>) => (c.reclaim.tlb.entries = 0), /reclaim\.tlb\.entries/],
    [
      'not an object',
      (c: ReturnType<typeof scenario>) => ((c as unknown as Record<string, unknown>).host = [1]),
      /host: expected an object, got an array/,
    ],
  ])('rejects %s', (_what, fn, message) => {
    expect(problems(mutate(fn)).join('\n')).toMatch(message);
  });

  it('rejects a non-object', () => {
    expect(problems(null)).toEqual(['expected an object, got null']);
    expect(problems('x')).toEqual(['expected an object, got string "x"']);
  });
});

describe('a problem names the guest by index and by name', () => {
  // Controls (run by hand): readGuests with the bare `${path}[${i}]` (the old code) fails the first case;
  // semantics.ts with joinPath(root, `guests[${i}]...`) fails the second.
  it('structure problems of guest 2 name it', () => {
    expect(problems(mutate((c) => (c.guests[2].vcpus = 0)))).toEqual([
      "guests[2] 'cache'.vcpus: must be an integer >= 1 and <= 512, got 0",
    ]);
  });
  it('relation problems of guest 3 name it', () => {
    expect(problems(mutate((c) => (c.guests[3].protected = true)))[0]).toMatch(/^guests\[3\] 'vault'\.protected: /);
  });
  it('a guest without a usable name is named by index only; a long or odd name is shown safely', () => {
    expect(guestPath('guests', 1, { vcpus: 1 })).toBe('guests[1]');
    expect(guestPath('guests', 1, { name: 7 })).toBe('guests[1]');
    expect(guestPath('guests', 1, { name: '' })).toBe('guests[1]');
    expect(guestPath('guests', 1, ['web'])).toBe('guests[1]');
    expect(guestPath('draft.guests', 0, { name: 'a\nb' })).toBe("draft.guests[0] 'a\\x0ab'");
    expect(guestPath('guests', 0, { name: 'x'.repeat(64) })).toBe(`guests[0] '${'x'.repeat(32)}…(64 chars)'`);
    expect(problems(mutate((c) => ((c.guests[0] as unknown as Record<string, unknown>).name = 5)))).toEqual([
      'guests[0].name: expected a string, got 5',
    ]);
  });
});

describe('semantic checks', () => {
  it('overcommit with swap none is a clear error', () => {
    const list = problems(mutate((c) => (c.host.swap = { device: 'none', sizeMiB: 0 })));
    expect(list).toEqual([
      "host.swap.device: guests total 1,536 MiB on a 1,024 MiB host (150% of host memory) but swap is 'none': evicted pages would have nowhere to go; use 'zram' or 'ssd'",
    ]);
  });

  it('overcommit with too small swap is a clear error', () => {
    expect(problems(mutate((c) => (c.host.swap.sizeMiB = 100)))).toEqual([
      'host.swap.sizeMiB: 100 MiB is too small: guests total 1,536 MiB on a 1,024 MiB host (150% of host memory) needs at least 512 MiB of swap',
    ]);
  });

  it('an SSD model needs an SSD, and must be one the lab knows', () => {
    expect(problems(mutate((c) => (c.host.swap = { device: 'ssd', sizeMiB: 1024, ssd: 'optane-p5800x' })))).toEqual([]);
    expect(problems(mutate((c) => (c.host.swap = { device: 'zram', sizeMiB: 1024, ssd: 'optane-p5800x' })))).toEqual([
      "host.swap.ssd: names an SSD model, so device must be 'ssd', got 'zram'",
    ]);
    const bad = problems(mutate((c) => Object.assign(c.host.swap, { device: 'ssd', ssd: 'floppy' })));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/^host\.swap\.ssd: .*tlc-nand.*optane-p5800x/);
  });

  it('guests[].memoryBacking: optional, one of the backings the lab models (kvm/faultinWritable.ts)', () => {
    // Negative control (run by hand, session 14 (l)): 'memoryBacking' taken out of GUEST_KEYS: the two
    // valid cases report an unknown key and this test fails (so does presetFiles' memoryBacking test).
    expect(problems(mutate((c) => (c.guests[0].memoryBacking = 'private-anon')))).toEqual([]);
    expect(problems(mutate((c) => (c.guests[0].memoryBacking = 'shmem-memfd')))).toEqual([]);
    const bad = problems(mutate((c) => Object.assign(c.guests[0], { memoryBacking: 'hugetlbfs' })));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/^guests\[0\] '[^']+'\.memoryBacking: .*'shmem-memfd'.*'private-anon'.*hugetlbfs/);
    const typo = problems(mutate((c) => Object.assign(c.guests[0], { memoryBaking: 'private-anon' })));
    expect(typo).toHaveLength(1);
    expect(typo[0]).toMatch(/memoryBaking: unknown key \(did you mean memoryBacking\?\)/);
    // Absent stays absent (every other preset's config, and so its digest, is unchanged).
    const plain = validateScenario(scenario());
    expect(plain.ok && plain.value.guests.every((g) => g.memoryBacking === undefined)).toBe(true);
  });

  it('no overcommit needs no swap', () => {
    expect(
      problems(mutate((c) => ((c.host.memoryMiB = 2048), (c.host.swap = { device: 'none', sizeMiB: 0 })))),
    ).toEqual([]);
  });

  it('protected guests must fit in host memory', () => {
    const c = scenario('seed-debate', 'pkvm');
    c.guests.forEach((g) => (g.protected = true));
    expect(problems(c).join('\n')).toMatch(
      /guests: protected guests pin 1,536 MiB, which does not fit in the host's 1,024 MiB/,
    );
  });

  it('protected guests exist only under pKVM', () => {
    expect(problems(mutate((c) => (c.guests[3].protected = true)))).toEqual([
      "guests[3] 'vault'.protected: protected guests exist only under pKVM; hardware 'ampere-altra' has pkvm: false",
    ]);
  });

  it('hypercall aging only with pKVM', () => {
    expect(problems(mutate((c) => (c.reclaim.harvest = 'hypercall')))).toEqual([
      "reclaim.harvest: 'hypercall' aging exists only under pKVM; hardware 'ampere-altra' has pkvm: false",
    ]);
  });

  it('pKVM + lockless (or locked) is impossible: the host cannot read the stage-2', () => {
    const c = scenario('seed-debate', 'pkvm');
    c.reclaim.harvest = 'lockless';
    c.reclaim.allowLocklessWithoutHafdbs = true;
    expect(problems(c).join('\n')).toMatch(
      /'lockless' is impossible on hardware 'pkvm' \(pkvm\): the host cannot read the hypervisor's stage-2/,
    );
    c.reclaim.harvest = 'locked-read';
    expect(problems(c).join('\n')).toMatch(/'locked-read' is impossible on hardware 'pkvm'/);
    c.reclaim.harvest = 'none';
    expect(problems(c)).toEqual([]);
  });

  it('lockless without FEAT_HAFDBS only as the explicit what-if', () => {
    const c = scenario('seed-debate', 'phone-prev82');
    c.reclaim.harvest = 'lockless';
    expect(problems(c).join('\n')).toMatch(
      /'lockless' needs FEAT_HAFDBS, which hardware 'phone-prev82' lacks; set reclaim\.allowLocklessWithoutHafdbs/,
    );
    c.reclaim.allowLocklessWithoutHafdbs = true;
    expect(problems(c)).toEqual([]);
  });

  it('workload pages must fit in guest memory', () => {
    expect(problems(mutate((c) => (c.guests[0].memoryMiB = 256)))).toEqual([
      "guests[0] 'web'.workload.pages: 98,304 pages (384 MiB) do not fit in the guest's 256 MiB (65,536 pages)",
    ]);
  });

  it('trace workloads are checked against known traces when given', () => {
    const c = scenario('trace-oracle');
    expect(validateScenario(c, { traces: { cloudPhysicsIO: { distinct: 48974 } } }).ok).toBe(true);
    const r = validateScenario(c, { traces: { other: { distinct: 5 } } });
    expect(!r.ok && r.error.message).toMatch(
      /guests\[0\] 'replay'\.workload\.trace: unknown trace 'cloudPhysicsIO' \(known: other\)/,
    );
    c.guests[0].memoryMiB = 64;
    const r2 = validateScenario(c, { traces: { cloudPhysicsIO: { distinct: 48974 } } });
    expect(!r2.ok && r2.error.message).toMatch(/touches 48,974 pages, more than the guest's 16,384/);
  });

  it('reports structural and semantic problems of different sections together', () => {
    const list = problems(
      mutate((c) => {
        c.host.swap = { device: 'none', sizeMiB: 0 };
        c.reclaim.harvest = 'hypercall';
        (c.run as unknown as Record<string, unknown>).durationMs = -1;
      }),
    );
    expect(list).toHaveLength(3);
  });
});

describe('structure only (a draft being edited)', () => {
  const messageOf = (r: ReturnType<typeof validateScenario>) => (r.ok ? '' : r.error.message);

  it.each([
    ['overcommit without swap', (c: ReturnType<typeof scenario>) => (c.host.swap.device = 'none')],
    ['swap size with device none', (c: ReturnType<typeof scenario>) => (c.host.swap = { device: 'none', sizeMiB: 64 })],
    ['watermark order', (c: ReturnType<typeof scenario>) => (c.host.watermarks.minPct = 10)],
    ['harvest vs hardware', (c: ReturnType<typeof scenario>) => (c.reclaim.harvest = 'hypercall')],
    ['default harvest vs flags', (c: ReturnType<typeof scenario>) => (c.hardware.pkvm = true)],
    ['protected without pKVM', (c: ReturnType<typeof scenario>) => (c.guests[3].protected = true)],
    ['workload pages vs guest size', (c: ReturnType<typeof scenario>) => (c.guests[0].memoryMiB = 256)],
    ['duplicate guest names', (c: ReturnType<typeof scenario>) => (c.guests[1].name = c.guests[0].name)],
    ['hotPages > pages', (c: ReturnType<typeof scenario>) => Object.assign(c.guests[2].workload, { hotPages: 1e6 })],
    ['sample interval > duration', (c: ReturnType<typeof scenario>) => (c.run.sampleIntervalMs = 5000)],
  ])('accepts a relation broken: %s', (_what, fn) => {
    const c = mutate(fn);
    expect(problems(c)).not.toEqual([]);
    const r = validateScenarioStructure(c);
    expect(messageOf(r)).toBe('');
    expect(r.ok && r.value).toEqual(c);
    expect(r.ok && r.value).not.toBe(c); // built field by field, never the input
  });

  it('still checks keys, types and each field range, with the given path prefix', () => {
    const bad = mutate((c) => {
      c.host.memoryMiB = -1;
      (c.guests[1] as unknown as Record<string, unknown>).vcpus = '2';
      (c.reclaim as unknown as Record<string, unknown>).extra = 1;
    });
    const r = validateScenarioStructure(bad, 'draft');
    // The message shows the problems that fit in 300 characters; `problems` lists them all.
    expect(messageOf(r)).toMatch(/^invalid scenario \(3 problems\):\ndraft\.host\.memoryMiB: /);
    expect(messageOf(r).length).toBeLessThan(300);
    expect(!r.ok && r.error.problems).toEqual([
      'draft.host.memoryMiB: must be a number > 0 and <= 1,048,576 (1 TiB), got -1',
      'draft.reclaim.extra: unknown key (expected one of: policy, harvest, agingIntervalMs, lookaround, mapYoung, tlb, allowLocklessWithoutHafdbs, lruvec, rmapFlushYoung)',
      'draft.guests[1] \'batch\'.vcpus: expected a number, got string "2"',
    ]);
  });

  it('validateScenario puts the path prefix on semantic problems too', () => {
    const r = validateScenario(
      mutate((c) => (c.host.swap = { device: 'none', sizeMiB: 0 })),
      { path: 'runs[0].config' },
    );
    expect(messageOf(r)).toMatch(/^invalid scenario:\nruns\[0\]\.config\.host\.swap\.device: guests total 1,536 MiB/);
  });

  it('refuses a key present with the value undefined (structured clone and msgpack carry it)', () => {
    const bad = mutate((c) => {
      (c.reclaim as unknown as Record<string, unknown>).lookaround = undefined;
      (c.hardware.costs as unknown as Record<string, unknown>).swapIn = undefined;
    });
    for (const r of [validateScenario(bad), validateScenarioStructure(bad)])
      expect(messageOf(r).split('\n').slice(1)).toEqual([
        'hardware.costs.swapIn: expected a value, got nothing',
        'reclaim.lookaround: expected a value, got nothing',
      ]);
  });
});

describe('section validators', () => {
  it('validate one section with its own root path', () => {
    const c = scenario();
    expect(validateHardwareProfile(c.hardware).ok).toBe(true);
    expect(validateHostSpec(c.host).ok).toBe(true);
    expect(validateGuestSpec(c.guests[0]).ok).toBe(true);
    expect(validateReclaimSpec(c.reclaim).ok).toBe(true);
    expect(validateRunSpec(c.run).ok).toBe(true);
    expect(validateWorkloadSpec(c.guests[0].workload).ok).toBe(true);
    const r = validateRunSpec({ ...c.run, workers: -1 });
    expect(!r.ok && r.error.message).toBe(
      'invalid run settings:\nrun.workers: must be an integer >= 0 and <= 256 (0 = cores - 1), got -1',
    );
  });

  it('hardware: every cost key present, defaultHarvest consistent with the flags', () => {
    const hw = scenario().hardware as unknown as Record<string, unknown> & { costs: Record<string, unknown> };
    delete hw.costs.tlbInvalidate;
    hw.pkvm = true;
    const r = validateHardwareProfile(hw);
    expect(!r.ok && r.error.message.split('\n').slice(1)).toEqual([
      'hardware.costs.tlbInvalidate: missing',
      "hardware.defaultHarvest: 'lockless' is impossible with pkvm: the host cannot read the hypervisor's stage-2",
    ]);
  });
});

describe('closed-loop client and load pass (workload.client, workload.loadPass)', () => {
  const base = { kind: 'uniform', pages: 1000, writeFraction: 0, thinkNs: 0, opAccesses: 3 };
  const withWorkload = (w: Record<string, unknown>) =>
    mutate((c) => {
      c.guests[0].workload = w as never;
    });

  it('accepts a client with a warm-up and a load pass; old workloads without them stay valid', () => {
    const w = { ...base, loadPass: true, client: { connections: 1, roundTripNs: 46_565, warmupMs: 100 } };
    expect(problems(withWorkload(w))).toEqual([]);
    expect(problems(withWorkload(base))).toEqual([]);
  });

  it('a client needs operations and no think time', () => {
    const { opAccesses: _, ...noOps } = base;
    expect(problems(withWorkload({ ...noOps, client: { connections: 1, roundTripNs: 10 } }))).toEqual([
      "guests[0] 'web'.workload.client: needs opAccesses: each request of the client is one operation",
    ]);
    expect(problems(withWorkload({ ...base, thinkNs: 200, client: { connections: 1, roundTripNs: 10 } }))).toEqual([
      "guests[0] 'web'.workload.thinkNs: must be 0 with a client (the time between requests is client.roundTripNs), got 200",
    ]);
  });

  it('names each bad client field', () => {
    expect(problems(withWorkload({ ...base, client: { connections: 0, roundTripNs: -5, extra: 1 } }))).toEqual([
      "guests[0] 'web'.workload.client.extra: unknown key (expected one of: connections, roundTripNs, warmupMs)",
      "guests[0] 'web'.workload.client.connections: must be an integer >= 1 and <= 4,096, got 0",
      "guests[0] 'web'.workload.client.roundTripNs: must be a number >= 0 and <= 1,000,000,000 (1 s), got -5",
    ]);
    expect(problems(withWorkload({ ...base, client: { conections: 2, roundTripNs: 5 } }))).toEqual([
      "guests[0] 'web'.workload.client.conections: unknown key (did you mean connections?)",
      "guests[0] 'web'.workload.client.connections: missing",
    ]);
  });

  it('the warm-up must leave part of the run measured', () => {
    const c = scenario();
    c.guests[0].workload = { ...base, client: { connections: 1, roundTripNs: 5, warmupMs: c.run.durationMs } } as never;
    expect(problems(c)).toEqual([
      `guests[0] 'web'.workload.client.warmupMs: 1,500 ms leaves nothing of the 1,500 ms run to measure; must be < run.durationMs`,
    ]);
  });

  it('loadPass is a boolean, and not a key of scan or trace workloads', () => {
    expect(problems(withWorkload({ ...base, loadPass: 'yes' }))).toEqual([
      'guests[0] \'web\'.workload.loadPass: expected true or false, got string "yes"',
    ]);
    expect(problems(withWorkload({ kind: 'scan', pages: 100, writeFraction: 0, thinkNs: 0, loadPass: true }))).toEqual([
      "guests[0] 'web'.workload.loadPass: unknown key (expected one of: kind, pages, writeFraction, thinkNs, opAccesses, slices, passes, prefault, resetZapsRoot, client)",
    ]);
  });
});

describe('a shorter run keeps a client warm-up inside it (--duration-ms, --set run.durationMs)', () => {
  const warmup = (r: { ok: boolean; value?: { guests: { workload: { client?: { warmupMs?: number } } }[] } }) =>
    r.ok ? r.value?.guests[0].workload.client?.warmupMs : 'refused';

  it('scales the warm-up with the run when it would swallow it, as the sample interval; leaves it otherwise', () => {
    // The preset: 1,500 ms with 500 ms of warm-up.
    expect(warmup(resolveScenario(loaded.set, 'repro-memcached-arm64', {}))).toBe(500);
    expect(warmup(resolveScenario(loaded.set, 'repro-memcached-arm64', { durationMs: 30 }))).toBe(10);
    expect(warmup(resolveScenario(loaded.set, 'repro-memcached-arm64', { durationMs: 900 }))).toBe(500);
    const base = { kind: 'preset', id: 'repro-memcached-arm64' } as const;
    expect(warmup(applyOverrides(loaded.set, base, [{ path: 'run.durationMs', value: '30' }]))).toBe(10);
    // Set together, both are the user's: a warm-up as long as the run is refused with the clear message.
    const both = applyOverrides(loaded.set, base, [
      { path: 'run.durationMs', value: '30' },
      { path: 'guests.*.workload.client.warmupMs', value: '40' },
    ]);
    expect(both.ok ? '' : both.error.message).toMatch(/warmupMs: 40 ms leaves nothing of the 30 ms run to measure/);
  });

  // `lab run seed-debate --duration-ms 0` said '(2 problems): run.durationMs: ... got 0;
  // run.sampleIntervalMs: must be a number > 0 ..., got 0': the interval was scaled to 0 / 10 before the
  // duration was refused. Control: without the durationMs > 0 guard in resolve.ts this fails with both.
  it('a duration of 0 is refused alone, naming no sample interval the user did not set', () => {
    const r = resolveScenario(loaded.set, 'seed-debate', { durationMs: 0 });
    const message = r.ok ? 'accepted' : r.error.message;
    expect(message).toMatch(/run\.durationMs: must be a number > 0 .*got 0/);
    expect(message).not.toMatch(/sampleIntervalMs|problems/);
    const o = applyOverrides(loaded.set, { kind: 'preset', id: 'seed-debate' }, [
      { path: 'run.durationMs', value: '0' },
    ]);
    const overridden = o.ok ? 'accepted' : o.error.message;
    expect(overridden).toMatch(/run\.durationMs: must be a number > 0 .*got 0/);
    expect(overridden).not.toMatch(/sampleIntervalMs|problems/);
  });
});
