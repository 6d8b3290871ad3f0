// Diagnostics (not a bench): a sim-worker entry that records a sampling heap profile of its own thread
// (node:inspector HeapProfiler, objects collected by minor and major GC included) from its start to its
// 'finished' message, and prints the top allocation sites (self bytes, with 3 callers) and the total.
// Bundle it as a worker (node .cache/bb.mjs style, entry name 'alloc-worker') and run bench/_profileSpread.ts
// with SIM_WORKER=.cache/workers/alloc-worker.mjs. Env: TOP (15), INTERVAL (bytes, 512).
import { Session } from 'node:inspector';
import { parentPort, threadId } from 'node:worker_threads';

interface Node {
  callFrame: { functionName: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}
const session = new Session();
session.connect();
session.post('HeapProfiler.startSampling', {
  samplingInterval: Number(process.env.INTERVAL ?? 512),
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
const port = parentPort!;
const post = port.postMessage.bind(port);
port.postMessage = (m: { type?: string }) => {
  if (m?.type === 'finished') {
    session.post('HeapProfiler.stopSampling', (e, r) => {
      if (e) throw e;
      const sites = new Map<string, number>();
      let total = 0;
      const walk = (n: Node, chain: string[]): void => {
        const here = [`${n.callFrame.functionName || '(anon)'}:${n.callFrame.lineNumber + 1}`, ...chain].slice(0, 4);
        if (n.selfSize > 0) {
          total += n.selfSize;
          const k = here.join(' < ');
          sites.set(k, (sites.get(k) ?? 0) + n.selfSize);
        }
        for (const ch of n.children) walk(ch, here);
      };
      walk((r as { profile: { head: Node } }).profile.head, []);
      const top = [...sites.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 15));
      console.log(
        `worker thread ${threadId}: sampled allocation ${(total / 2 ** 20).toFixed(1)} MB\n` +
          top.map(([k, v]) => `  ${(v / 2 ** 20).toFixed(2).padStart(7)} MB  ${k}`).join('\n'),
      );
    });
  }
  post(m);
};
await import('../engine/host/node/simWorker.ts');
