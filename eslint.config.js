import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import { architectureConfig } from './eslint-rules/index.js';

const inkFence = {
  group: ['ink', 'ink/*', 'react', 'react/*', 'ink-*'],
  message: 'Only src/core/ui may import ink or react.',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tap/', 'test-output/', 'coverage/', 'test/fixtures/lint/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-console': 'error',
    },
    settings: {
      'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } },
    },
  },
  {
    files: ['src/sandbox/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/core/**', '**/core', '**/commands/**'], message: 'src/sandbox is a standalone library: it must not import src/core or src/commands.' },
          inkFence,
        ],
      }],
    },
  },
  {
    files: ['src/core/**', 'src/commands/**'],
    ignores: ['src/core/ui/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [inkFence] }],
    },
  },
  // No import cycles between folders; core and commands use the sandbox only through its entry.
  ...architectureConfig,
  {
    files: ['src/sandbox/proxy/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The dashboard's browser modules: DOM globals, not Node's (their tsconfig has lib dom and no node types).
    files: ['src/core/dashboard/browser/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**', 'bench/**', 'bin/**', 'scripts/**', 'examples/**', '*.js', '.ci/**'],
    rules: {
      'no-console': 'off',
      // tap tracks its own subtests and assertion promises.
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
