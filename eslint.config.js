// Lint rules. The one that matters most: src/core stays pure (no tensors, no IO, no clock, no Math.random).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/**', 'runs/**', 'vectors/**', 'bench/results/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error'
    }
  },
  {
    files: ['src/core/**/*.ts', 'src/spec/**/*.ts'],
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
