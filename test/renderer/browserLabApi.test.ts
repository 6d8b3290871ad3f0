import { describe, expect, it } from 'vitest';
import type { RunEvent, ScenarioConfig } from '../../engine/protocol.ts';
import { createBrowserLabApi, type BrowserDeps } from '../../web/labApi.ts';

function deps(over: Partial<BrowserDeps> = {}): BrowserDeps {
  return {
    startRun: () => ({ ok: false, error: { name: 'ValidationError', message: 'bad' } }),
    listPresets: async () => ({ hardware: [], workloads: [], scenarios: [] }),
    parseHardwarePreset: () => ({ ok: false, error: { name: 'ValidationError', message: 'nope' } }),
    promptFileName: () => null,
    ...over,
  };
}

const config = {} as ScenarioConfig;

describe('browser LabApi', () => {
  it('returns a validation failure as a Result error', async () => {
    const r = await createBrowserLabApi(deps()).startRun(config);
    expect(r).toEqual({ ok: false, error: { name: 'ValidationError', message: 'bad' } });
  });

  it('turns an engine exception into a Result error, not a rejection', async () => {
    const api = createBrowserLabApi(
      deps({
        startRun: () => {
          throw new TypeError('worker failed');
        },
      }),
    );
    const r = await api.startRun(config);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ name: 'TypeError', message: 'worker failed' });
  });

  it('forwards run events and routes pause/resume/stop to the run by id', async () => {
    const calls: string[] = [];
    let emit: (e: RunEvent) => void = () => {};
    const api = createBrowserLabApi(
      deps({
        startRun: (_c, onEvent) => {
          emit = onEvent;
          return {
            ok: true,
            value: {
              runId: 'r1',
              pause: () => calls.push('pause'),
              resume: () => calls.push('resume'),
              stop: () => calls.push('stop'),
            },
          };
        },
      }),
    );
    const seen: RunEvent[] = [];
    const off = api.onRunEvent((e) => seen.push(e));
    expect(await api.startRun(config)).toEqual({ ok: true, value: { runId: 'r1' } });
    emit({ type: 'progress', runId: 'r1', fraction: 0.5, virtualMs: 5 });
    await api.pauseRun('r1');
    await api.resumeRun('r1');
    await api.stopRun('r1');
    await api.stopRun('unknown');
    off();
    emit({ type: 'progress', runId: 'r1', fraction: 0.6, virtualMs: 6 });
    expect(seen).toHaveLength(1);
    expect(calls).toEqual(['pause', 'resume', 'stop']);
  });

  it('a corrupt session is a clear error naming the file', async () => {
    const r = await createBrowserLabApi(deps()).loadSessionBytes(new Uint8Array([0xc1, 0xff, 0x00]), 'bad.msgpack');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^bad\.msgpack: /);
  });

  it('loadTrace keeps the page ids in the page and hands them to startRun; errors name the problem', async () => {
    let seen: Record<string, Uint32Array> = {};
    const api = createBrowserLabApi(
      deps({
        startRun: (c, _onEvent, traces) => {
          seen = traces.pageIdsFor(c);
          return { ok: false, error: { name: 'Stop', message: 'stop here' } };
        },
      }),
    );
    expect(await api.loadTrace(new TextEncoder().encode('5\n6\n5\n'), 'mini.txt')).toEqual({
      ok: true,
      value: { name: 'mini', requests: 3, distinct: 2 },
    });
    const bad = await api.loadTrace(new TextEncoder().encode('5\nfive\n'), 'broken.txt');
    expect(bad).toEqual({
      ok: false,
      error: {
        name: 'TraceFormatError',
        message: 'broken.txt: line 2: object id "five" is not a non-negative integer',
      },
    });
    const traceConfig = {
      guests: [{ name: 'g', workload: { kind: 'trace', trace: 'mini', writeFraction: 0, thinkNs: 0 } }],
    } as unknown as ScenarioConfig;
    await api.startRun(traceConfig);
    expect(Object.keys(seen)).toEqual(['mini']);
    expect([...seen.mini]).toEqual([0, 1, 0]);
  });
});
