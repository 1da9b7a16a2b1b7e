// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** Import boundaries from DESIGN.md: what each folder may import. */
const forbid = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.demo/**',
      '.tour/**',
      'test-results/**',
      'playwright-report/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      ...forbid(
        [
          '@meshlens/server',
          '@meshlens/server/*',
          '**/apps/server/**',
          '@kubernetes/client-node',
          '@meshlens/demo-cluster',
          '@meshlens/mesh-sim',
        ],
        'apps/web may import only packages/contract and packages/istio (DESIGN.md).',
      ),
    },
  },
  {
    files: ['apps/server/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid(
      ['@meshlens/web', '**/apps/web/**', '@meshlens/demo-cluster', '@meshlens/mesh-sim'],
      'apps/server may import only packages/contract and packages/istio (DESIGN.md).',
    ),
  },
  {
    files: ['packages/contract/**/*.ts'],
    rules: forbid(
      ['@meshlens/*', '@kubernetes/*', 'node:*', 'fs', 'http', 'path'],
      'packages/contract imports zod only (DESIGN.md).',
    ),
  },
  {
    files: ['packages/istio/src/**/*.ts'],
    ignores: ['packages/istio/src/**/*.test.ts'],
    rules: forbid(
      [
        '@meshlens/server',
        '@meshlens/web',
        '@meshlens/demo-cluster',
        '@meshlens/mesh-sim',
        '@kubernetes/*',
        'node:*',
        'fs',
        'http',
        'path',
      ],
      'packages/istio is pure: it imports packages/contract only and does no I/O (DESIGN.md).',
    ),
  },
  {
    files: ['packages/mesh-sim/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid(
      ['@meshlens/server', '@meshlens/web'],
      'packages/mesh-sim may import packages/istio only (DESIGN.md).',
    ),
  },
  {
    files: ['packages/demo-cluster/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: forbid(
      ['@meshlens/server', '@meshlens/web', '@meshlens/istio', '@meshlens/mesh-sim', '@meshlens/contract'],
      'packages/demo-cluster stands alone (DESIGN.md).',
    ),
  },
  {
    files: ['e2e/**/*.ts'],
    rules: forbid(
      ['@meshlens/server', '@meshlens/web', '@meshlens/istio'],
      'e2e may import packages/contract only (DESIGN.md).',
    ),
  },
);
