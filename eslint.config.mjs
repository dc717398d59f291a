import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

// Module boundaries (STYLE.md #11): apps depend on libs, never the reverse; contracts depend on
// nothing; adapters never reach into apps; the dev stack and test helpers stay out of production code.
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      '**/generated/**',
      '.data',
      'tmp',
      'models',
      'coverage',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:contracts', 'type:config'] },
            // The dental domain: pure rules and vocabularies, no I/O; anything above may use it.
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'] },
            {
              sourceTag: 'type:adapter',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:config', 'type:domain', 'type:adapter'],
            },
            { sourceTag: 'type:devstack', onlyDependOnLibsWithTags: ['type:contracts', 'type:config'] },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: [
                'type:contracts',
                'type:config',
                'type:domain',
                'type:adapter',
                'type:devstack',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:config', 'type:domain', 'type:adapter'],
            },
            { sourceTag: 'scope:case-api', notDependOnLibsWithTags: ['scope:ingestion', 'scope:inference-worker'] },
            { sourceTag: 'scope:ingestion', notDependOnLibsWithTags: ['scope:case-api', 'scope:inference-worker'] },
            { sourceTag: 'scope:inference-worker', notDependOnLibsWithTags: ['scope:case-api', 'scope:ingestion'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      // Indexes into typed arrays the code just sized; the checks would only restate the loop bounds.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Specs may use the test helpers and reach across projects to assemble the platform.
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  prettier,
];
