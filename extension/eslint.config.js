// ESLint (flat config) over the extension's TypeScript: the recommended JavaScript and
// typescript-eslint rules, syntax-only (tsc --noEmit does the type checking). typescript-eslint
// needs TypeScript's JavaScript API, which TypeScript 7 no longer has: it parses with the
// `typescript` package (6.x), while `tsc` in npm run check is TypeScript 7 (the `tsgo` alias).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '../dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    rules: {
      // Unused names are compile errors already (noUnusedLocals, noUnusedParameters); `_`-prefixed
      // ones are deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
