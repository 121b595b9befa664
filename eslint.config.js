// Lint rules. The one that matters most: src/core stays pure (no tensors, no IO, no clock, no Math.random).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/**', 'runs/**', 'vectors/**', 'bench/results/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // numbers, booleans and null print as meant in messages and vector labels; an object or an
      // array in a template (`[object Object]`, a comma-joined list) is what this rule is for
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allowNumber: true,
          allowBoolean: true,
          allowNullish: true,
          allowAny: false,
          allowRegExp: false,
          allowNever: false
        }
      ],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // an async method that implements a Promise-returning interface (Environment, Policy) with
      // synchronous code is meant: what it throws becomes a rejection, as callers expect
      '@typescript-eslint/require-await': 'off',
      // a branded number (number & brand) is a number; the rule does not see through the intersection
      '@typescript-eslint/no-unsafe-unary-minus': 'off',
      // node:test's test() returns a promise the runner itself awaits
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }
          ]
        }
      ]
    }
  },
  // the two JavaScript files (the CLI launcher, this config) are outside the TypeScript program
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
  {
    files: ['src/core/**/*.ts', 'src/spec/**/*.ts', 'src/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tensorflow/*', 'node:*', 'fs', 'child_process', 'path', 'os'],
              message: 'src/core and src/spec are pure: no tensors, no IO.'
            },
            { group: ['**/effects/**', '**/cli/**'], message: 'core and spec never import the effect layer.' }
          ]
        }
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: 'Randomness is a seeded value passed in (see src/core/rng.ts).'
        },
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'No clock in the pure core.'
        },
        { selector: "NewExpression[callee.name='Date']", message: 'No clock in the pure core.' },
        {
          selector: "MemberExpression[object.name='process']",
          message: 'No process environment in the pure core.'
        },
        {
          selector: 'ClassDeclaration',
          message: 'No classes in the core: tagged unions of readonly interfaces.'
        }
      ]
    }
  }
)
