/** The keyboard shortcuts (the `?` sheet lists exactly these; App.svelte's key handler implements them). */
export interface Shortcut {
  keys: string;
  what: string;
}

/** `edition`: Electron's menu runs with Ctrl+R (and has Pause / Stop); the browser runs with Ctrl+Enter. */
export function shortcuts(mod: string, edition: 'electron' | 'browser' = 'browser'): Shortcut[] {
  const menu: Shortcut[] =
    edition === 'electron'
      ? [
          { keys: `${mod}R`, what: 'Run the current setup' },
          { keys: `${mod}P`, what: 'Pause / resume the run' },
          { keys: `${mod}.`, what: 'Stop the run' },
          { keys: `${mod}N`, what: 'New session' },
        ]
      : [{ keys: `${mod}Enter`, what: 'Run the current setup' }];
  return [
    ...menu,
    { keys: `${mod}S`, what: 'Save the session' },
    { keys: `${mod}Shift+S`, what: 'Save the session as…' },
    { keys: `${mod}O`, what: 'Open a session' },
    { keys: `${mod}E`, what: 'Export what is on screen as CSV' },
    { keys: `${mod}Z`, what: 'Undo a setup edit' },
    { keys: `${mod}Shift+Z or ${mod}Y`, what: 'Redo a setup edit' },
    { keys: '1 / 2 / 3', what: 'Setup / Run / Compare tab (outside text fields)' },
    { keys: '4 / 5', what: 'Sweep / Reproductions tab (outside text fields)' },
    { keys: '?', what: 'Show or hide this sheet' },
    { keys: 'Esc', what: 'Close this sheet or a question' },
  ];
}
