// Boots the BUILT main bundle (out/main/index.js) under plain Node with the electron stub, then acts as
// the renderer: lists presets, starts a small run via lab:startRun, waits for its 'done' event, saves
// the session via lab:saveSession (the stub dialog answers argv[3]), loads a trace via lab:loadTrace and
// replays it in a run, and prints a JSON report.
// Usage: node --import ./register.mjs driver.mjs <out/main/index.js> <session path>
import { once } from 'node:events';
import { copyFileSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { digestColumns } from './digest.mjs';

const [mainBundle, sessionPath] = process.argv.slice(2);
const { app } = await import('electron'); // the stub, through hooks.mjs: the same module instance main will get
const stub = globalThis.__electronStub;
const windowCreated = once(stub.events, 'window');
await import(pathToFileURL(mainBundle).href);
const [win] = await windowCreated;
await once(win.webContents, 'did-finish-load');

const ours = { sender: win.webContents, senderFrame: { url: 'lab://app/index.html' } };
const foreign = { sender: win.webContents, senderFrame: { url: 'https://evil.example/' } };
const invoke = async (event, channel, ...args) => stub.ipc.get(channel)(event, ...args);
const unwrap = (w) => {
  if (!w.ok) throw new Error(`${w.error.name}: ${w.error.message}`);
  return w.value;
};

const report = {
  channels: [...stub.ipc.keys()].sort(),
  webPreferences: win.options.webPreferences,
  loadedUrl: win.loadedUrl,
};
report.foreign = await invoke(foreign, 'lab:listPresets');
const catalog = unwrap(await invoke(ours, 'lab:listPresets'));
const scenario = catalog.scenarios.find((s) => s.id === 'seed-debate') ?? catalog.scenarios[0];
const config = structuredClone(scenario.config);
config.run.durationMs = Math.min(config.run.durationMs, 40);
config.run.sampleIntervalMs = Math.min(config.run.sampleIntervalMs, 10);
config.run.deterministic = true;
report.scenario = scenario.id;

const done = new Promise((resolve, reject) => {
  stub.events.on('sent', ({ channel, payload }) => {
    if (channel !== 'lab:runEvent') return;
    if (payload.type === 'done') resolve(payload.result);
    if (payload.type === 'error') reject(new Error(payload.error.message));
  });
});
const started = unwrap(await invoke(ours, 'lab:startRun', config));
if (!started.ok) throw new Error(`startRun refused: ${started.error.message}`);
report.runId = started.value.runId;
const result = await done;
report.eventTypes = [
  ...new Set(win.webContents.sent.filter((s) => s.channel === 'lab:runEvent').map((s) => s.payload.type)),
];

const session = {
  format: 'overcommit-lab-session',
  version: 1,
  appVersion: 'boot-test',
  savedAt: new Date(0).toISOString(),
  draft: config,
  runs: [result],
  ui: { view: 'run', selectedRun: 0, compareRuns: [], chartMetric: ['hitRate'] },
};
stub.dialogAnswers.push(sessionPath);
report.saved = unwrap(await invoke(ours, 'lab:saveSession', session, { saveAs: true }));
report.summary = result.summary;
report.rows = result.samples.tMs.length;
report.columnDigest = digestColumns(result.samples);

// A trace file loaded through lab:loadTrace stays in main and is replayed by a run of this window.
report.traceLoaded = unwrap(
  await invoke(ours, 'lab:loadTrace', new TextEncoder().encode('7\n8\n7\n9\n7\n8\n'), '/tmp/boot.txt'),
);
const traceScenario = catalog.scenarios.find((s) => s.id === 'trace-oracle');
const traceConfig = structuredClone(traceScenario.config);
traceConfig.guests[0].workload.trace = 'boot';
const traceStarted = unwrap(await invoke(ours, 'lab:startRun', traceConfig));
if (!traceStarted.ok) throw new Error(`trace run refused: ${traceStarted.error.message}`);
const traceResult = await new Promise((resolve, reject) => {
  stub.events.on('sent', ({ channel, payload }) => {
    if (channel !== 'lab:runEvent' || payload.runId !== traceStarted.value.runId) return;
    if (payload.type === 'done') resolve(payload.result);
    if (payload.type === 'error') reject(new Error(payload.error.message));
  });
});
report.traceRun = { accesses: traceResult.summary.accesses, misses: traceResult.summary.misses };

// A file the OS opens (macOS open-file; Open Recent and the command line take the same path) is offered
// to the renderer; while it has not accepted it (it asked, the user kept their unsaved work), Save still
// writes the session's own file and never over the declined one.
const declined = `${sessionPath}.other.msgpack`;
copyFileSync(sessionPath, declined);
const declinedBytes = readFileSync(declined);
const offered = new Promise((resolve) =>
  stub.events.on('sent', ({ channel, payload }) => channel === 'lab:sessionOpened' && resolve(payload.path)),
);
app.emit('open-file', { preventDefault() {} }, declined);
report.offer = { path: await offered };
session.appVersion = 'boot-test-2';
report.offer.saveWhileDeclined = unwrap(await invoke(ours, 'lab:saveSession', session, { saveAs: false }));
report.offer.declinedUnchanged = Buffer.compare(readFileSync(declined), declinedBytes) === 0;
report.offer.foreignAccept = unwrap(await invoke(ours, 'lab:acceptOpened', '/etc/passwd'));
report.offer.accepted = unwrap(await invoke(ours, 'lab:acceptOpened', declined));
report.offer.saveAfterAccept = unwrap(await invoke(ours, 'lab:saveSession', session, { saveAs: false }));

// Close / reload with unsaved work: the renderer says what (lab:setUnsaved), its beforeunload veto
// arrives as 'will-prevent-unload'; main asks naming it; Cancel keeps the veto, Discard lifts it.
const unloadVeto = () => {
  let proceeded = false;
  win.webContents.emit('will-prevent-unload', { preventDefault: () => (proceeded = true) });
  return proceeded;
};
unwrap(await invoke(ours, 'lab:setUnsaved', { runs: null, setup: true }));
stub.syncAnswers.push(1);
const cancelled = unloadVeto();
const cancelBox = stub.messageBoxes.at(-1);
unwrap(await invoke(ours, 'lab:setUnsaved', { runs: 2, setup: true }));
stub.syncAnswers.push(0);
const discarded = unloadVeto();
report.unloadGuard = {
  cancelled,
  discarded,
  messages: [cancelBox?.message, stub.messageBoxes.at(-1)?.message],
};

// The protocol handler serves the built renderer with the CSP header.
const res = await stub.protocols.get('lab')({ url: 'lab://app/index.html' });
report.protocol = { status: res.status, csp: res.headers.get('content-security-policy') };
report.permission = await new Promise((r) => stub.permissionRequestHandler(null, 'media', r));
process.stdout.write(`\nBOOT-REPORT ${JSON.stringify(report)}\n`);
process.exit(0);
