// ESLint (flat config) with typescript-eslint: the recommended rules, and what this codebase relies on.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'sor-models/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // `_name` marks a binding kept for its position (destructuring, a callback's signature)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // NaN checks are written x !== x on the hot path (no call)
      'no-self-compare': 'off',
      // the non-null assertion is how typed-array and map reads say "present by construction"
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
      // a named alias of `this` for the getters of an object literal that must read the owner
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['engine', 'ac'] }],
    },
  },
  {
    // typed rules: they read the types, through the project's tsconfig
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // a promise nobody awaits loses its rejection (an order or a journal write failing unseen); `void p` says it is meant
      '@typescript-eslint/no-floating-promises': 'error',
      // a switch over a union (an order state, a report kind, a record kind) names every member or has a default
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // tests edit parsed JSON freely
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // FIX separates fields with SOH (0x01): the codec's patterns match it on purpose
    files: ['src/fix/**/*.ts', 'test/fix/**/*.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly' } },
  },
);
