/**
 * worker_threads entry of the parse worker (bundled as 'parse-worker' by scripts/workers.mjs; Electron
 * main imports it with electron-vite's ?nodeWorker): decodes session bytes and parses trace files off
 * the main thread, so a large file never freezes the window. Requests and replies: parseService.ts.
 */
import { parentPort } from 'node:worker_threads';
import { serveParseRequest, type ParseRequest } from './parseService.ts';

const port = parentPort;
if (!port) throw new Error('parseWorker must run in a worker thread');
port.on('message', (req: ParseRequest) => {
  const { reply, transfer } = serveParseRequest(req);
  port.postMessage(reply, transfer);
});
