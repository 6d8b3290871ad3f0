/**
 * The application menu as data: buildMenuTemplate returns Electron MenuItemConstructorOptions built
 * from injected actions, so tests check it without Electron. Most items forward a MenuCommand to the
 * focused renderer (it owns the session and decides, e.g. asks before discarding); Open Recent opens
 * the file in main and sends the decoded session.
 */
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../engine/protocol.ts';

export interface MenuActions {
  command(command: MenuCommand): void;
  openRecent(file: string): void;
  clearRecent(): void;
}

export function buildMenuTemplate(
  actions: MenuActions,
  recent: readonly string[],
  platform: NodeJS.Platform,
): MenuItemConstructorOptions[] {
  const cmd = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => actions.command(command),
  });
  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? [
        ...recent.map((file) => ({
          label: path.basename(file),
          sublabel: file,
          click: () => actions.openRecent(file),
        })),
        { type: 'separator' as const },
        { label: 'Clear Recent', click: () => actions.clearRecent() },
      ]
    : [{ label: 'No recent sessions', enabled: false }];

  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      cmd('New', 'new', 'CmdOrCtrl+N'),
      cmd('Open…', 'open', 'CmdOrCtrl+O'),
      { label: 'Open Recent', submenu: recentItems },
      { type: 'separator' },
      cmd('Save', 'save', 'CmdOrCtrl+S'),
      cmd('Save As…', 'save-as', 'CmdOrCtrl+Shift+S'),
      cmd('Export CSV…', 'export-csv', 'CmdOrCtrl+E'),
      { type: 'separator' },
      platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const run: MenuItemConstructorOptions = {
    label: 'Run',
    submenu: [
      cmd('Run', 'run', 'CmdOrCtrl+R'),
      cmd('Pause', 'pause', 'CmdOrCtrl+P'),
      cmd('Stop', 'stop', 'CmdOrCtrl+.'),
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      { role: 'toggleDevTools' },
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [cmd('About Overcommit Lab', 'about')],
  };
  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    file,
    edit,
    run,
    view,
    help,
  ];
}
