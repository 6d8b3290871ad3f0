// Session codec: round trip is bit-identical; every error class gives its clear message; never throws.
import { describe, expect, it } from 'vitest';
import { Packr, Unpackr } from 'msgpackr';
import { SAMPLE_COLUMNS, SESSION_VERSION, type SessionData } from '../../engine/protocol.ts';
import {
  decodeSession,
  encodeSession,
  sessionToCsv,
  validateSessionData,
  SESSION_MAX_BYTES,
} from '../../engine/session/index.ts';
import { makeRunResult, makeSession } from './fixtures.ts';

const packr = new Packr({ moreTypes: true, useRecords: false });
const bytesOf = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function expectError(r: ReturnType<typeof decodeSession>, name: string, message: RegExp): void {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error.name).toBe(name);
  expect(r.error.message).toMatch(message);
}

function withField(mutate: (s: Record<string, unknown>) => void): Uint8Array {
  const plain = makeSession() as unknown as Record<string, unknown>;
  mutate(plain);
  return packr.pack(plain);
}

describe('session round trip', () => {
  it('gives identical numbers, bit for bit (NaN, -0, extremes included)', () => {
    const original = makeSession([makeRunResult(200, 1), makeRunResult(3, 2)]);
    const bytes = encodeSession(original);
    expect(bytes).toBeInstanceOf(Uint8Array);
    const r = decodeSession(bytes);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toEqual(original);
    for (let i = 0; i < original.runs.length; i++) {
      for (const c of SAMPLE_COLUMNS) {
        expect(r.value.runs[i].samples[c]).toBeInstanceOf(Float64Array);
        expect(bytesOf(r.value.runs[i].samples[c])).toEqual(bytesOf(original.runs[i].samples[c]));
      }
    }
    expect(Object.is(r.value.runs[0].samples.refaults[1], -0)).toBe(true);
    expect(Number.isNaN(r.value.runs[0].samples.hitRate[0])).toBe(true);
    // Encoding the decoded session gives the same bytes: nothing was added or lost.
    expect(Array.from(encodeSession(r.value))).toEqual(Array.from(bytes));
  });

  it("keeps a guest's pass end times (scan with slices) and still loads runs saved without them", () => {
    const run = makeRunResult(3, 1);
    run.summary.guests[0] = { ...run.summary.guests[0], passEndMs: [616.7, 1233.5] };
    const r = decodeSession(encodeSession(makeSession([run, makeRunResult(3, 2)])));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.runs[0].summary.guests[0].passEndMs).toEqual([616.7, 1233.5]);
    expect(r.value.runs[1].summary.guests[0]).not.toHaveProperty('passEndMs');
    // Not a list of numbers: named, not loaded.
    const bad = withField((s) => {
      const runs = s.runs as { summary: { guests: Record<string, unknown>[] } }[];
      runs[0].summary.guests[0].passEndMs = ['x'];
    });
    expectError(decodeSession(bad), 'SessionSchemaError', /passEndMs/);
  });

  it('decodes a session with no runs and from an unaligned view', () => {
    const bytes = encodeSession(makeSession([]));
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const r = decodeSession(shifted.subarray(3));
    expect(r.ok).toBe(true);
  });

  it('is plain msgpack: any msgpack reader sees the format tag and version', () => {
    const value = new Unpackr({ mapsAsObjects: true, moreTypes: true }).unpack(encodeSession(makeSession()));
    expect(value.format).toBe('overcommit-lab-session');
    expect(value.version).toBe(SESSION_VERSION);
  });
});

describe('session errors', () => {
  it('refuses a file over the size cap before decoding', () => {
    expect(SESSION_MAX_BYTES).toBe(256 * 1024 * 1024);
    const bytes = encodeSession(makeSession());
    expectError(decodeSession(bytes, { maxBytes: bytes.length - 1 }), 'SessionTooLarge', /too large.*limit/);
    expect(decodeSession(bytes, { maxBytes: bytes.length }).ok).toBe(true);
  });

  it('calls an empty, truncated or garbage file corrupt or truncated', () => {
    const bytes = encodeSession(makeSession());
    expectError(decodeSession(new Uint8Array(0)), 'SessionCorrupt', /^corrupt or truncated session file/);
    expectError(
      decodeSession(bytes.subarray(0, bytes.length >> 1)),
      'SessionCorrupt',
      /^corrupt or truncated session file/,
    );
    expectError(decodeSession(new Uint8Array([0xd9])), 'SessionCorrupt', /^corrupt or truncated session file/);
    const trailing = new Uint8Array(bytes.length + 1);
    trailing.set(bytes);
    expectError(decodeSession(trailing), 'SessionCorrupt', /trailing data/);
  });

  it('calls a file without our format tag foreign', () => {
    expectError(
      decodeSession(packr.pack({ hello: 'world' })),
      'SessionForeign',
      /not an Overcommit Lab session \(foreign file\)/,
    );
    expectError(decodeSession(packr.pack([1, 2, 3])), 'SessionForeign', /foreign file/);
    // Other files decode as some msgpack value (a JSON file starts with fixint 123): foreign, not corrupt.
    expectError(decodeSession(new TextEncoder().encode('{"format":"x"}')), 'SessionForeign', /foreign file/);
    // ... and is named as JSON ("format tag is nothing" was the message, s15-h); a map without a tag says so.
    expectError(decodeSession(new TextEncoder().encode(' \n[1]')), 'SessionForeign', /it is JSON text/);
    expectError(decodeSession(packr.pack({ hello: 'world' })), 'SessionForeign', /it has no format tag/);
    expectError(decodeSession(new TextEncoder().encode('garbage')), 'SessionForeign', /it has no format tag/);
    expectError(decodeSession(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00])), 'SessionForeign', /foreign file/); // a JPEG
    expectError(
      decodeSession(withField((s) => (s.format = 'speedscope'))),
      'SessionForeign',
      /foreign file.*"speedscope"/,
    );
  });

  it('names both versions for a file from a newer build', () => {
    expectError(
      decodeSession(withField((s) => (s.version = SESSION_VERSION + 1))),
      'SessionNewerVersion',
      new RegExp(`made by a newer version \\(v${SESSION_VERSION + 1}\\); this build reads up to v${SESSION_VERSION}`),
    );
    expectError(
      decodeSession(withField((s) => (s.version = 0))),
      'SessionUnsupportedVersion',
      /unsupported session version 0/,
    );
    expectError(decodeSession(withField((s) => delete s.version)), 'SessionUnsupportedVersion', /version nothing/);
  });

  const schemaCases: [string, (s: Record<string, unknown>) => void, RegExp][] = [
    ['unknown top-level key', (s) => (s.extra = 1), /^invalid session: extra: unknown key/],
    ['missing ui', (s) => delete s.ui, /ui: missing/],
    [
      'guest vcpus of the wrong type',
      (s) => (((s.draft as SessionData['draft']).guests[1] as unknown as Record<string, unknown>).vcpus = '2'),
      /draft\.guests\[1\] 'web'\.vcpus: expected a number/,
    ],
    [
      'unknown harvest mode',
      (s) => ((s.runs as SessionData['runs'])[0].config.reclaim.harvest = 'yolo' as never),
      /runs\[0\]\.config\.reclaim\.harvest: expected one of/,
    ],
    [
      'missing cost',
      (s) => delete ((s.draft as SessionData['draft']).hardware.costs as Partial<Record<string, unknown>>).swapIn,
      /draft\.hardware\.costs\.swapIn: missing/,
    ],
    [
      'column of the wrong type',
      (s) => (((s.runs as SessionData['runs'])[0].samples as unknown as Record<string, unknown>).hitRate = [1, 2]),
      /runs\[0\]\.samples\.hitRate: expected a Float64Array/,
    ],
    [
      'column of another length',
      (s) => ((s.runs as SessionData['runs'])[0].samples.afFaults = new Float64Array(3)),
      /runs\[0\]\.samples\.afFaults: column has 3 rows but tMs has 50/,
    ],
    [
      'missing column',
      (s) => delete ((s.runs as SessionData['runs'])[0].samples as Partial<Record<string, unknown>>).tMs,
      /samples\.tMs: missing/,
    ],
    [
      'selected run out of range',
      (s) => ((s.ui as SessionData['ui']).selectedRun = 5),
      /ui\.selectedRun: 5 is above the maximum 0/,
    ],
    [
      'unknown chart metric',
      (s) => ((s.ui as SessionData['ui']).chartMetric = ['nope' as never]),
      /ui\.chartMetric\[0\]: expected one of/,
    ],
    [
      'workload kind unknown',
      (s) => ((s.draft as SessionData['draft']).guests[0].workload = { kind: 'nope' } as never),
      /draft\.guests\[0\] 'db'\.workload\.kind: expected one of/,
    ],
    [
      'a bigint where a number goes',
      (s) => ((s.runs as SessionData['runs'])[0].summary.hits = (2n ** 70n) as never),
      /runs\[0\]\.summary\.hits: expected a number, found a bigint/,
    ],
    [
      'run config the engine refuses (watermarks out of order)',
      (s) => ((s.runs as SessionData['runs'])[0].config.host.watermarks = { minPct: 50, lowPct: 10, highPct: 5 }),
      /runs\[0\]\.config: invalid scenario/,
    ],
    [
      'negative memory',
      (s) => ((s.draft as SessionData['draft']).host.memoryMiB = -1),
      /draft\.host\.memoryMiB: must be a number > 0 and <= 1,048,576 \(1 TiB\), got -1/,
    ],
  ];
  for (const [what, mutate, message] of schemaCases) {
    it(`names the path of a schema error: ${what}`, () => {
      expectError(decodeSession(withField(mutate)), 'SessionSchemaError', message);
    });
  }

  it('accepts a half-edited draft the engine would refuse (only its structure is checked)', () => {
    const bytes = withField(
      (s) => ((s.draft as SessionData['draft']).host.watermarks = { minPct: 50, lowPct: 10, highPct: 5 }),
    );
    expect(decodeSession(bytes).ok).toBe(true);
    // Overcommit without swap: a relation between sections, checked when the draft is run, not saved.
    const overcommitted = withField((s) => ((s.draft as SessionData['draft']).host.swap.device = 'none'));
    expect(decodeSession(overcommitted).ok).toBe(true);
  });

  it('refuses to encode a session that would not open again, naming the field, so nothing unloadable is written', () => {
    const s = makeSession();
    (s.draft.host as { memoryMiB: unknown }).memoryMiB = null; // a number input left empty mid-edit
    expect(() => encodeSession(s)).toThrow(/would not open again.*draft\.host\.memoryMiB/s);
    // Negative control: the same session with the field filled in encodes and opens.
    s.draft.host.memoryMiB = 1024;
    expect(decodeSession(encodeSession(s)).ok).toBe(true);
  });

  it('validateSessionData never throws on exotic values and copies columns', () => {
    for (const v of [
      undefined,
      null,
      0,
      'x',
      [],
      new Float64Array(2),
      Object.create(null),
      new Proxy(
        {},
        {
          get: () => {
            throw new Error('trap');
          },
        },
      ),
    ]) {
      const r = validateSessionData(v);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message.length).toBeGreaterThan(0);
    }
    const s = makeSession();
    const r = validateSessionData(s);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.runs[0].samples.tMs).not.toBe(s.runs[0].samples.tMs);
  });
});

describe('sessionToCsv', () => {
  it('writes a header and one exact line per sample row', () => {
    const s = makeSession([makeRunResult(5, 3)]);
    const csv = sessionToCsv(s);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(SAMPLE_COLUMNS.join(','));
    expect(lines).toHaveLength(6);
    const row3 = lines[4].split(',').map(Number);
    SAMPLE_COLUMNS.forEach((c, i) => expect(Object.is(row3[i], s.runs[0].samples[c][3])).toBe(true));
    expect(() => sessionToCsv(s, 1)).toThrow(RangeError);
    expect(() => sessionToCsv(makeSession([]))).toThrow(/no run -1/);
  });
});
