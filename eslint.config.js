// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';

/** Files that may import a workspace's devDependencies: tests, test helpers, build and tool configs. */
const devFiles = [
  '**/*.test.{ts,tsx}',
  '**/test/**',
  '**/testdata/**',
  '**/vite.config.ts',
  'apps/server/scripts/record-golden.ts',
  'e2e/**',
  'bench/**',
  'scripts/**',
  '*.{js,ts}',
];

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
      // With verbatimModuleSyntax, `import { type A }` stays as `import {} from …` and loads the module.
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  // Every workspace declares what it imports: a package (type imports too) must be in the package.json
  // nearest the importing file; devDependencies only in tests and tooling (devFiles).
  {
    files: ['**/*.{js,mjs,cjs,ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver()] },
    rules: {
      'import-x/no-extraneous-dependencies': [
        'error',
        { devDependencies: devFiles, includeInternal: true, includeTypes: true },
      ],
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
          '@meshlens/stack',
          '@meshlens/demo-cluster',
          '@meshlens/mesh-sim',
          '**/packages/stack/**',
          '**/packages/demo-cluster/**',
          '**/packages/mesh-sim/**',
        ],
        'apps/web may import only packages/contract and packages/istio, never the demo (DESIGN.md).',
      ),
    },
  },
  // The server's product code never imports the demo. Its tests (and the golden recorder) start the demo
  // stack to run against real servers: they import it, declared as devDependencies.
  {
    files: ['apps/server/**/*.{ts,js,mjs}'],
    ignores: ['**/*.test.ts', 'apps/server/test/**', 'apps/server/scripts/record-golden.ts'],
    rules: forbid(
      [
        '@meshlens/web',
        '**/apps/web/**',
        '@meshlens/stack',
        '@meshlens/demo-cluster',
        '@meshlens/mesh-sim',
        '**/packages/stack/**',
        '**/packages/demo-cluster/**',
        '**/packages/mesh-sim/**',
      ],
      'apps/server may import only packages/contract and packages/istio, never the demo (DESIGN.md).',
    ),
  },
  {
    files: ['packages/contract/**/*.ts'],
    rules: forbid(
      ['@meshlens/*', '@kubernetes/*', 'node:*', 'fs', 'http', 'path'],
      'packages/contract imports zod only (DESIGN.md).',
    ),
  },
  // packages/istio takes only types from the contract, and its zod-free constants: the browser and the
  // simulator must not load zod through it (packages/istio/test/noZod.test.ts checks the bundle).
  {
    files: ['packages/istio/src/**/*.ts'],
    ignores: ['packages/istio/src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@meshlens/contract',
              allowTypeImports: true,
              message:
                'packages/istio takes only types from @meshlens/contract (import type …); constants come from @meshlens/contract/constants, which loads no zod.',
            },
          ],
          patterns: [
            {
              group: ['@meshlens/contract/*', '!@meshlens/contract/constants', '**/packages/contract/**'],
              message: 'packages/istio may import @meshlens/contract/constants only, besides types.',
            },
            {
              group: [
                '@meshlens/server',
                '@meshlens/web',
                '@meshlens/stack',
                '@meshlens/demo-cluster',
                '@meshlens/mesh-sim',
                '@kubernetes/*',
                'zod',
                'node:*',
                'fs',
                'http',
                'path',
              ],
              message:
                'packages/istio is pure: it imports packages/contract only and does no I/O (DESIGN.md).',
            },
          ],
        },
      ],
    },
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
