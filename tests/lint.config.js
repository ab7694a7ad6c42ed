// ESLint flat config. The import rules keep each runtime in its own folder (STYLE.md):
// only main/app imports electron; shared imports nothing of main, renderer or node; renderer never imports main.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noElectron = { name: 'electron', message: 'Only main/app/ may import electron.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'tests/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['main/**/*.ts', 'tests/**/*.ts'],
    ignores: ['main/app/**', 'main/launch/**', 'tests/e2e/electron*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [
          { group: ['node:*'], message: 'shared/ runs in browsers too: no node built-ins.' },
          { group: ['**/main/**', '**/renderer/**'], message: 'shared/ imports neither main/ nor renderer/.' },
        ],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [
          { group: ['node:*'], message: 'The renderer is browser code.' },
          { group: ['**/main/**'], message: 'The renderer talks to the hub over socket.io, never imports main/.' },
        ],
      }],
    },
  },
);
