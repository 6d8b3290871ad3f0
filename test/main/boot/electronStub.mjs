// A stand-in for the `electron` module, for booting the built main bundle under plain Node.
// It records what main registers (IPC handlers, protocol handlers, windows, menus, dialogs) on
// globalThis.__electronStub, and answers dialogs from stub.dialogAnswers. Never used by the app.
import { EventEmitter } from 'node:events';
import os from 'node:os';

const stub = {
  ipc: new Map(),
  protocols: new Map(),
  privilegedSchemes: [],
  windows: [],
  menus: [],
  messageBoxes: [],
  dialogAnswers: [],
  syncAnswers: [],
  recentDocuments: [],
  permissionRequestHandler: null,
  permissionCheckHandler: null,
  userData: os.tmpdir(),
  events: new EventEmitter(),
};
globalThis.__electronStub = stub;

let nextId = 1;
class WebContents extends EventEmitter {
  constructor() {
    super();
    this.id = nextId++;
    this.sent = [];
    this.windowOpenHandler = null;
  }
  send(channel, payload) {
    this.sent.push({ channel, payload });
    stub.events.emit('sent', { channel, payload });
  }
  setWindowOpenHandler(h) {
    this.windowOpenHandler = h;
  }
  isDestroyed() {
    return false;
  }
}

export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    this.loadedUrl = null;
    stub.windows.push(this);
    stub.events.emit('window', this);
  }
  async loadURL(url) {
    this.loadedUrl = url;
    setImmediate(() => {
      this.webContents.emit('did-finish-load');
      this.emit('ready-to-show');
    });
  }
  show() {}
  focus() {}
  restore() {}
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return false;
  }
  static getAllWindows() {
    return stub.windows;
  }
  static getFocusedWindow() {
    return stub.windows[0] ?? null;
  }
}

const appEvents = new EventEmitter();
export const app = {
  isPackaged: true,
  on: (e, f) => (appEvents.on(e, f), app),
  whenReady: () => new Promise((r) => setImmediate(r)),
  isReady: () => true,
  requestSingleInstanceLock: () => true,
  getPath: () => stub.userData,
  addRecentDocument: (p) => stub.recentDocuments.push(p),
  clearRecentDocuments: () => (stub.recentDocuments.length = 0),
  quit: () => stub.events.emit('quit'),
  exit: (code) => stub.events.emit('exit', code),
  emit: (...a) => appEvents.emit(...a),
};

export const ipcMain = { handle: (channel, fn) => stub.ipc.set(channel, fn) };
export const protocol = {
  registerSchemesAsPrivileged: (s) => stub.privilegedSchemes.push(...s),
  handle: (scheme, fn) => stub.protocols.set(scheme, fn),
};
export const session = {
  defaultSession: {
    setPermissionRequestHandler: (h) => (stub.permissionRequestHandler = h),
    setPermissionCheckHandler: (h) => (stub.permissionCheckHandler = h),
    webRequest: { onHeadersReceived: () => {} },
  },
};
export const Menu = {
  buildFromTemplate: (t) => t,
  setApplicationMenu: (m) => stub.menus.push(m),
};
export const dialog = {
  showSaveDialog: async () => {
    const a = stub.dialogAnswers.shift();
    return a ? { canceled: false, filePath: a } : { canceled: true, filePath: '' };
  },
  showOpenDialog: async () => {
    const a = stub.dialogAnswers.shift();
    return a ? { canceled: false, filePaths: [a] } : { canceled: true, filePaths: [] };
  },
  showMessageBox: async (_w, o) => (stub.messageBoxes.push(o), { response: 0 }),
  // The close / reload question: recorded; answered from stub.syncAnswers (default 1 = Cancel).
  showMessageBoxSync: (_w, o) => (stub.messageBoxes.push(o), stub.syncAnswers.shift() ?? 1),
};
export default { app, BrowserWindow, ipcMain, protocol, session, Menu, dialog };
