import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatEta, mkProgress } from '../../src/effects/progress.ts'

/** A non-terminal stream that records its lines, and a clock the test moves by hand. */
const capture = () => {
  const lines: string[] = []
  let t = 0
  return {
    lines,
    stream: { isTTY: false, write: (s: string) => (lines.push(s), true) },
    now: () => t,
    advance: (ms: number) => (t += ms)
  }
}

test('formatEta rounds to whole seconds before splitting minutes (never 1m60s), ? when unknown', () => {
  assert.equal(formatEta(42.4), '42s')
  assert.equal(formatEta(119.6), '2m0s')
  assert.equal(formatEta(59.7), '1m0s')
  assert.equal(formatEta(65), '1m5s')
  assert.equal(formatEta(NaN), '?')
  assert.equal(formatEta(Infinity), '?')
})

test('plain progress: the first update, then at most one per interval, and always the last', () => {
  const c = capture()
  const p = mkProgress('train', 4, { stream: c.stream, now: c.now, minIntervalMs: 1000 })
  c.advance(500)
  p.update(1, { success: 0.25, memory: 3 })
  c.advance(500)
  p.update(2) // within the interval: dropped
  c.advance(1000)
  p.update(3)
  c.advance(10)
  p.update(4) // the last is always shown
  assert.deepEqual(c.lines, [
    'train 1/4  eta 2s  success 0.250  memory 3\n',
    'train 3/4  eta 1s  \n',
    'train 4/4  eta 0s  \n'
  ])
})

test('progress log lines pass through; silent progress writes nothing', () => {
  const c = capture()
  mkProgress('x', 2, { stream: c.stream, now: c.now }).log('phase: evaluation')
  const s = capture()
  const q = mkProgress('x', 2, { stream: s.stream, now: s.now, silent: true })
  q.update(1)
  q.update(2)
  q.log('hidden')
  assert.deepEqual(c.lines, ['phase: evaluation\n'])
  assert.deepEqual(s.lines, [])
})

test('work done before this process (a resumed run, reused runs) is shown as done but left out of the ETA rate', () => {
  const c = capture()
  const p = mkProgress('compare', 10, { stream: c.stream, now: c.now, minIntervalMs: 0, initial: 6 })
  c.advance(30_000)
  p.update(7) // one unit in 30 s, three left: 90 s (counting the six reused units would give 13 s)
  c.advance(30_000)
  p.update(8)
  assert.deepEqual(c.lines, ['compare 7/10  eta 1m30s  \n', 'compare 8/10  eta 1m0s  \n'])
})
