// ESLint flat config. The import rules keep each runtime in its own folder (STYLE.md):
// only main/app imports electron; shared imports nothing of main, renderer or node; renderer never imports main;
// inside the renderer, screens never import each other and the layers below them import no screen.
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
  ...rendererBoundaries(),
);

// The renderer is layered by screen (README "How it is built"): screens never import each other; the shell (app/)
// picks a screen; everything below the screens (state, common, map, video, hub, i18n) imports no screen.
// One config block per folder, because a later block's options replace an earlier one's for the same rule.
function rendererBoundaries() {
  const base = [
    { group: ['node:*'], message: 'The renderer is browser code.' },
    { group: ['**/main/**'], message: 'The renderer talks to the hub over socket.io, never imports main/.' },
  ];
  const screens = ['console', 'wall', 'field', 'evaluator', 'manager', 'review', 'admin'];
  const below = ['state', 'common', 'map', 'video', 'hub', 'i18n'];
  const rule = (patterns) => ({ 'no-restricted-imports': ['error', { paths: [noElectron], patterns: [...base, ...patterns] }] });
  const noScreen = (except) => screens.filter((s) => s !== except).map((s) => ({
    group: [`**/${s}/**`, `../${s}`, `./${s}`],
    message: except ? `Screens never import each other (${except}/ → ${s}/): move what both need to common/ or state/.` : `${s}/ is a screen: layers below the screens import none (move what you need to common/ or state/).`,
  }));
  const noApp = { group: ['**/app/**'], message: 'Only the entry point imports the app shell.' };
  return [
    { files: ['renderer/**/*.{ts,tsx}'], rules: rule([]) },
    ...screens.map((s) => ({ files: [`renderer/src/${s}/**/*.{ts,tsx}`], rules: rule([...noScreen(s), noApp]) })),
    ...below.map((b) => ({ files: [`renderer/src/${b}/**/*.{ts,tsx}`], rules: rule([...noScreen(null), noApp]) })),
  ];
}
