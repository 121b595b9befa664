/**
 * Soak: 500 resets of one Z-machine environment hold the heap flat. Run in a child process with
 * `--expose-gc`, so the heap is measured after a full collection, at reset 50 and at reset 500.
 * Before the Glk library was instantiated without `require`, each reset kept ~0.9 MB alive
 * (proofs/environments.md §9).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('./fixtures/soak.ts', import.meta.url))
const resets = 500
// a leak of 0.9 MB per reset grows the heap by ~400 MB over these 450 resets; 8 MB is noise
const boundBytes = 8 * 1024 * 1024

test(
  `the heap stays flat over ${String(resets)} resets of one environment (grows < 8 MB from reset 50)`,
  { timeout: 120_000 },
  (t) => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, String(resets)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20
    })
    const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { at50: number; atN: number; ms: number }
    const mb = (b: number): string => (b / 2 ** 20).toFixed(1)
    t.diagnostic(
      `heap at reset 50: ${mb(r.at50)} MB, at reset ${String(resets)}: ${mb(r.atN)} MB, ${String(r.ms)} ms`
    )
    assert.ok(r.atN - r.at50 < boundBytes, `heap grew from ${mb(r.at50)} MB to ${mb(r.atN)} MB`)
  }
)
