import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'public/build/', 'scratch/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/**/cli/*.ts', 'src/main.ts', 'src/worker.ts', 'bench/**/*.ts', 'src/lib/assets/build.ts'],
    rules: { 'no-console': 'off' },
  },
)
