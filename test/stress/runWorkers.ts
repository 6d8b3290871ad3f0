/** Start bundled workers (scripts/workers.mjs) and collect the one result message each posts. */
import { Worker } from 'node:worker_threads';

// scripts/workers.mjs has no type declarations (TS7016 on a static import); load it by URL with
// the one signature we use.
const workers = (await import(new URL('../../scripts/workers.mjs', import.meta.url).href)) as {
  workerPath(name: string): string;
};

export function runWorker<T>(name: string, workerData: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const w = new Worker(workers.workerPath(name), { workerData });
    let result: T | undefined;
    let got = false;
    w.on('message', (m: T) => {
      result = m;
      got = true;
    });
    w.on('error', reject);
    w.on('exit', (code) => {
      if (code !== 0) reject(new Error(`worker ${name} exited with code ${code}`));
      else if (!got) reject(new Error(`worker ${name} exited without a result`));
      else resolve(result as T);
    });
  });
}

export function runWorkers<T>(name: string, datas: unknown[]): Promise<T[]> {
  return Promise.all(datas.map((d) => runWorker<T>(name, d)));
}
