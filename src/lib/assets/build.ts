import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const output = path.join(root, 'public', 'build')

const started = Date.now()
const result = sass.compile(path.join(root, 'src', 'lib', 'assets', 'council.scss'), {
  loadPaths: [path.join(root, 'node_modules')],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import'],
})
mkdirSync(output, { recursive: true })
writeFileSync(path.join(output, 'council.css'), result.css)
console.log(`Built public/build/council.css (${Math.round(result.css.length / 1024)} kB) in ${Date.now() - started} ms`)
