// ESLint flat config: typescript-eslint's recommended rules for the
// TypeScript sources (src, test, bench); JavaScript entry points get only the
// parser's syntax checks. Build output is ignored.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'build/**', 'node_modules/**', 'native/**', 'test/syscalls/bin/**', 'coverage/**'],
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      // `_`-prefixed names mark deliberately unused parameters and bindings.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Linux ABI numbers have aliases on purpose (EWOULDBLOCK = EAGAIN, SIGIOT = SIGABRT, O_NDELAY = O_NONBLOCK).
    files: ['src/abi/**/*.ts'],
    rules: { '@typescript-eslint/no-duplicate-enum-values': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
  },
);
