// Lint, including the layer rules (see docs/ARCHITECTURE.md):
//   engine/core  <- engine/host <- main/ and engine/cli ;  renderer/ imports only types from engine/protocol.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'worker_threads',
  'child_process',
  'url',
  'crypto',
  'util',
  'events',
];

// Engine core: no Node, no DOM, no Electron, and nothing from the layers above it.
const corePatterns = [
  { group: nodeBuiltins, message: 'engine/core is pure TypeScript: no Node modules.' },
  { group: ['electron', 'electron/*'], message: 'The engine never imports Electron.' },
  {
    group: ['**/host/**', '**/cli/**', '**/main/**', '**/renderer/**'],
    message: 'engine/core imports nothing from the layers above it.',
  },
];
// One module owns the simulation's SharedArrayBuffer layout: sim/simLayout.ts (its regions' files in
// sim/layout/ are reached through it).
const simLayoutOnly = {
  group: ['**/sim/layout/*', './layout/*'],
  message: 'Import the simulation layout from sim/simLayout.ts, not from sim/layout/.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', '.cache/', 'test-results/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
      globals: { ...globals.browser },
    },
  },
  {
    // Whole engine (host, cli included). Flat config: a later block's rule replaces an earlier one's for
    // the same file, so the stricter core block must come AFTER this one.
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'electron/*'], message: 'The engine never imports Electron.' },
            { group: ['**/main/**', '**/renderer/**'], message: 'The engine imports nothing from main/ or renderer/.' },
            simLayoutOnly,
          ],
        },
      ],
    },
  },
  {
    // Engine core: no Node, no DOM, no Electron, and nothing from the layers above it.
    files: ['engine/core/**/*.ts', 'engine/session/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [...corePatterns, simLayoutOnly],
        },
      ],
    },
  },
  {
    // The layout's own files: sim/simLayout.ts re-exports ./layout/, whose files import each other.
    files: ['engine/core/sim/simLayout.ts', 'engine/core/sim/layout/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: corePatterns }] },
  },
  {
    // Renderer: only types from the engine's protocol; never Node or Electron.
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'The renderer runs in a browser: no Node modules.' },
            { group: ['electron', 'electron/*'], message: 'The renderer talks to main only through LabApi.' },
            {
              // ...and engine/numberFormat.ts, the number style shared with the CLI: it imports nothing
              // (rule below), so it pulls no engine code into the page.
              group: ['**/engine/**', '!**/engine/protocol', '!**/engine/protocol.ts', '!**/engine/numberFormat.ts'],
              message: 'The renderer imports only types from engine/protocol (and engine/numberFormat.ts).',
            },
            { group: ['**/main/**'], message: 'The renderer talks to main only through LabApi.' },
          ],
        },
      ],
      // ...and from engine/protocol only types: `import type`, never a value.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/engine/protocol', '**/engine/protocol.ts'],
              allowTypeImports: true,
              message: 'The renderer imports only types from engine/protocol (use `import type`).',
            },
          ],
        },
      ],
    },
  },
  {
    // The number style both the renderer and the CLI import: a leaf, so the renderer's exception for it
    // can never pull engine code into the page.
    files: ['engine/numberFormat.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['*', '.*'], message: 'engine/numberFormat.ts imports nothing (the renderer imports it).' },
          ],
        },
      ],
    },
  },
  {
    // Promises on the Node side and the editions' composition roots must be awaited or handled: an
    // unawaited atomic write once lost `lab sweep --out`'s file. Type-aware, so limited to these folders.
    files: ['engine/host/**/*.ts', 'engine/cli/**/*.ts', 'main/**/*.ts', 'web/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.node.json', tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['renderer/**/*.ts'],
    languageOptions: { parserOptions: { project: './renderer/tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
);
