/**
 * Electron main process: the composition root. Everything testable lives in the pure modules it wires
 * (security, ipc/*, sessionFiles, documents, menu, runs, appProtocol, args); this file only connects
 * them to Electron: app lifecycle, single instance, the lab:// protocol, window, menu, dialogs, IPC,
 * the engine on worker_threads (engine.ts), sessions opened from the command line or the OS.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session } from 'electron';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { MenuCommand, SessionData } from '../engine/protocol.ts';
import { APP_SCHEME, devCsp, isAppUrl, isTrustedSender, applySecurity, applySessionSecurity } from './security.ts';
import { serveAppRequest, withCspHeader } from './appProtocol.ts';
import { createSessionFiles } from './sessionFiles.ts';
import { writeFileAtomic } from '../engine/host/node/atomicFile.ts';
import { workerParseService } from '../engine/host/node/parseService.ts';
import createParseWorker from '../engine/host/node/parseWorker.ts?nodeWorker';
import { DocumentState } from './documents.ts';
import { buildMenuTemplate } from './menu.ts';
import { RunRegistry } from './runs.ts';
import { createIpcHandlers, type Dialogs } from './ipc/handlers.ts';
import { registerIpc, sendEvent } from './ipc/register.ts';
import { createPresets } from './presets.ts';
import { createEngine, createReproductions, createSweeps } from './engine.ts';
import { WindowTraces } from './traces.ts';
import { sessionPathFromArgv } from './args.ts';
import { discardDialog, guardUnsavedWork } from './unsavedGuard.ts';
import { createMainWindow, type ReadyQueue } from './window.ts';

const log = (message: string) => console.log(`[main] ${message}`);
const here = import.meta.dirname; // out/main in a build
const rendererDir = path.join(here, '../renderer');
const preloadPath = path.join(here, '../preload/index.cjs');
// The dev server only in development: a packaged app never loads a URL from the environment.
const devServerUrl =
  !app.isPackaged && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : undefined;

// Must happen before 'ready': lab:// behaves like https (origin, fetch, secure context).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

// Trace files and session bytes are parsed on a worker: the main thread never runs a parser.
const parser = workerParseService(() => createParseWorker({}));
const files = createSessionFiles(fsp, { decode: (bytes, maxBytes) => parser.decodeSession(bytes, maxBytes) });
let mainWindow: { win: BrowserWindow; queue: ReadyQueue } | null = null;
const pendingPaths: string[] = [];

const documents = new DocumentState({
  defaultDir: app.getPath('documents'),
  store: {
    load: async () =>
      JSON.parse(await fsp.readFile(path.join(app.getPath('userData'), 'recent.json'), 'utf8')) as unknown,
    save: (list) => writeFileAtomic(path.join(app.getPath('userData'), 'recent.json'), JSON.stringify(list)),
  },
  onChange: (recent, added) => {
    if (added) app.addRecentDocument(added);
    Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(menuActions, recent, process.platform)));
  },
  log,
});

const menuActions = {
  command: (command: MenuCommand) => {
    const target = BrowserWindow.getFocusedWindow() ?? mainWindow?.win;
    if (target) sendEvent(target.webContents, 'lab:menuCommand', command);
  },
  openRecent: (file: string) => void openSessionPath(file),
  clearRecent: () => {
    documents.clearRecent();
    app.clearRecentDocuments();
  },
};

const dialogs: Dialogs = {
  async showOpen(win, options) {
    const r =
      win instanceof BrowserWindow
        ? await dialog.showOpenDialog(win, { ...options, properties: ['openFile'] })
        : await dialog.showOpenDialog({ ...options, properties: ['openFile'] });
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
  },
  async showSave(win, options) {
    const r =
      win instanceof BrowserWindow ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
    return r.canceled || !r.filePath ? null : r.filePath;
  },
  async confirmReplace(win, file) {
    const options = {
      type: 'question' as const,
      buttons: ['Replace', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: `"${path.basename(file)}" already exists. Replace it?`,
      detail: `A file with this name already exists in ${path.dirname(file)}. Replacing it overwrites its contents.`,
    };
    const r =
      win instanceof BrowserWindow ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
    return r.response === 0;
  },
};

const runs = new RunRegistry(createEngine({ log }));
const traces = new WindowTraces();
const sweeps = createSweeps();
const reproductions = createReproductions();

/** Open a session file given by the OS (command line, second instance, Open Recent, macOS open-file). */
async function openSessionPath(file: string): Promise<void> {
  if (!mainWindow) {
    pendingPaths.push(file);
    return;
  }
  const { win, queue } = mainWindow;
  const r = await files.readSession(file);
  // The window may have closed while the file was read: BrowserWindow methods would throw "Object has
  // been destroyed", and an offer for a forgotten window would be left behind.
  if (win.isDestroyed()) return;
  if (!r.ok) {
    // The renderer's current session is untouched: only a message.
    await dialog.showMessageBox(win, { type: 'error', title: 'Cannot open session', message: r.error.message });
    return;
  }
  const opened: { session: SessionData; path: string } = { session: r.value, path: file };
  queue.run(() => {
    if (win.isDestroyed()) return;
    // Save's target becomes `file` only once the renderer opened it (lab:acceptOpened): it asks first
    // when its session has unsaved work, and a Cancel must leave Save writing where it did.
    documents.offer(win.webContents.id, file);
    sendEvent(win.webContents, 'lab:sessionOpened', opened);
  });
}

function createWindow(): void {
  const created = createMainWindow(BrowserWindow, { preloadPath, devServerUrl, log });
  const id = created.win.webContents.id;
  created.win.on('closed', () => {
    runs.stopAllOf(id);
    sweeps.stopAllOf(id);
    reproductions.stopAllOf(id);
    documents.forget(id);
    traces.forget(id);
    if (mainWindow === created) mainWindow = null;
  });
  created.win.webContents.on('render-process-gone', () => {
    runs.stopAllOf(id);
    sweeps.stopAllOf(id);
    reproductions.stopAllOf(id);
  });
  // Close or reload with unsaved runs or setup edits: the renderer's beforeunload vetoes, main asks,
  // naming what the renderer last said would be lost (lab:setUnsaved; unsavedGuard.ts).
  guardUnsavedWork(
    created.win.webContents,
    () => documents.unsaved(id),
    (work) => dialog.showMessageBoxSync(created.win, discardDialog(work)) === 0,
  );
  mainWindow = created;
  for (const file of pendingPaths.splice(0)) void openSessionPath(file);
}

async function start(): Promise<void> {
  applySessionSecurity(session.defaultSession, log);
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(request.url, rendererDir, (p) => fsp.readFile(p)));
  if (devServerUrl) {
    const csp = devCsp(devServerUrl);
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({
        responseHeaders: isAppUrl(details.url, devServerUrl)
          ? withCspHeader(details.responseHeaders, csp)
          : details.responseHeaders,
      });
    });
  }
  registerIpc(
    ipcMain,
    createIpcHandlers({
      runs,
      presets: createPresets({ log }),
      dialogs,
      files,
      documents,
      traces,
      parser,
      sweeps,
      reproductions,
      log,
    }),
    {
      isTrusted: (frame) => isTrustedSender(frame, devServerUrl),
      windowOf: (sender) => BrowserWindow.getAllWindows().find((w) => w.webContents.id === sender.id) ?? null,
      log,
    },
  );
  await documents.load();
  createWindow();
}

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the documents: it receives our argv through 'second-instance'.
  app.quit();
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (mainWindow) {
      if (mainWindow.win.isMinimized()) mainWindow.win.restore();
      mainWindow.win.focus();
    }
    const file = sessionPathFromArgv(argv.slice(1), workingDirectory);
    if (file) void openSessionPath(file);
  });
  app.on('open-file', (event, file) => {
    event.preventDefault();
    void openSessionPath(file);
  });
  // Defence in depth: every webContents ever created (not only our window) gets the same lockdown.
  app.on('web-contents-created', (_event, contents) => applySecurity(contents, log));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0 && app.isReady()) createWindow();
  });
  const initial = sessionPathFromArgv(process.argv.slice(1), process.cwd());
  if (initial) pendingPaths.push(initial);
  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      log(`startup failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      app.exit(1);
    });
}
