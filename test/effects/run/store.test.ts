import assert from 'node:assert/strict'
import { test } from 'node:test'
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emptyMetrics } from '../../../src/spec/metrics.ts'
import { createRun, readMetrics, resume, runPaths } from '../../../src/effects/run/store.ts'

const withDir = (f: (dir: string) => void) => {
  const dir = mkdtempSync(join(tmpdir(), 'empo2-store-'))
  try {
    f(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
const line = (i: number) => `${JSON.stringify({ ...emptyMetrics, iteration: i })}\n`

test('a torn last line is dropped; a bad line elsewhere is an error naming its number', () =>
  withDir((dir) => {
    createRun(dir, { x: 1 })
    const p = runPaths(dir)
    writeFileSync(p.metrics, line(0) + line(1) + '{"iteration": 2, "me')
    const r = readMetrics(dir)
    assert.equal(r.torn, true)
    assert.deepEqual(
      r.lines.map((l) => l.iteration),
      [0, 1]
    )
    writeFileSync(p.metrics, line(0) + '{"iteration": 1}\n' + line(2))
    assert.throws(() => readMetrics(dir), /line 2/)
    writeFileSync(p.metrics, line(0) + 'not json\n')
    assert.throws(() => readMetrics(dir), /line 2 is not JSON/)
  }))

test('resume keeps exactly the lines of finished iterations and names the next one', () =>
  withDir((dir) => {
    createRun(dir, { x: 1 })
    const p = runPaths(dir)
    assert.deepEqual(resume(dir), { next: 0, state: null })
    writeFileSync(p.state, JSON.stringify({ iteration: 1, envSteps: 10, wallSeconds: 2 }))
    writeFileSync(p.metrics, line(0) + line(1) + line(2))
    appendFileSync(p.metrics, '{"torn')
    assert.equal(resume(dir).next, 2)
    assert.equal(readFileSync(p.metrics, 'utf8'), line(0) + line(1))
    assert.throws(() => createRun(dir, { x: 2 }), /already holds a run/)
    assert.throws(() => resume(join(dir, 'nope')), /not a run directory/)
  }))
