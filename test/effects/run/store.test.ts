import assert from 'node:assert/strict'
import { test } from 'node:test'
import { spawn } from 'node:child_process'
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emptyMetrics } from '../../../src/spec/metrics.ts'
import { removeStaleTemps } from '../../../src/effects/fs.ts'
import {
  createRun,
  finishIteration,
  readMetrics,
  readState,
  resume,
  runPaths,
  lockRun,
  type MemorySnapshot
} from '../../../src/effects/run/store.ts'
import { emptyMemory } from '../../../src/core/memory/memory.ts'
import { emptyNovelty } from '../../../src/core/memory/novelty.ts'

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
    // temporary files of atomic writes a kill interrupted, and files that only look alike
    const stale = [
      join(dir, 'checkpoints', '.resume-0.ckpt.4242.0badcafe.tmp'),
      join(dir, 'memory', '.resume-1.json.4242.0badcafe.tmp'),
      join(dir, '.state.json.7.deadbeef.tmp')
    ]
    const kept = [join(dir, 'checkpoints', 'notes.tmp'), join(dir, '.state.json.tmp')]
    for (const d of ['checkpoints', 'memory']) mkdirSync(join(dir, d), { recursive: true })
    for (const f of [...stale, ...kept]) writeFileSync(f, 'x')
    assert.equal(resume(dir).next, 2)
    assert.equal(readFileSync(p.metrics, 'utf8'), line(0) + line(1))
    assert.deepEqual(
      [...stale, ...kept].map((f) => existsSync(f)),
      [false, false, false, true, true]
    )
    assert.throws(() => createRun(dir, { x: 2 }), /already holds a run/)
    assert.throws(() => resume(join(dir, 'nope')), /not a run directory/)
  }))

const snapshot: MemorySnapshot = { memory: emptyMemory, reflections: {}, novelty: emptyNovelty }
const metricsOf = (i: number) => ({ ...emptyMetrics, iteration: i, 'env/steps': 10 * (i + 1) })
const stateOf = (i: number) => ({ iteration: i, envSteps: 10 * (i + 1), wallSeconds: i + 1 })

test('a crash between the metrics append and the state write resumes at that iteration, its line dropped', () =>
  withDir((dir) => {
    createRun(dir, { x: 1 })
    const p = runPaths(dir)
    finishIteration(dir, metricsOf(0), snapshot, stateOf(0), true)
    finishIteration(dir, metricsOf(1), snapshot, stateOf(1), false)
    assert.deepEqual(readState(dir), stateOf(1))
    assert.ok(existsSync(p.memory(0)) && !existsSync(p.memory(1)) && existsSync(p.resumeMemory(1)))
    // make the state write fail (its path is a non-empty directory): finishIteration dies right
    // after the metrics append, as a process killed at that moment would
    const before = readFileSync(p.state, 'utf8')
    rmSync(p.state)
    mkdirSync(join(p.state, 'x'), { recursive: true })
    assert.throws(() => finishIteration(dir, metricsOf(2), snapshot, stateOf(2), false))
    rmSync(p.state, { recursive: true })
    writeFileSync(p.state, before)
    assert.equal(readMetrics(dir).lines.length, 3)
    assert.deepEqual(resume(dir), { next: 2, state: stateOf(1) })
    assert.equal(
      readFileSync(p.metrics, 'utf8'),
      [0, 1].map((i) => `${JSON.stringify(metricsOf(i))}\n`).join('')
    )
    // the resumed iteration appends its line again, and the run continues as if nothing happened
    finishIteration(dir, metricsOf(2), snapshot, stateOf(2), false)
    assert.deepEqual(
      readMetrics(dir).lines.map((l) => l.iteration),
      [0, 1, 2]
    )
    assert.deepEqual(resume(dir), { next: 3, state: stateOf(2) })
  }))

test('the state is written only after the metrics line: a failed append leaves the state as it was', () =>
  withDir((dir) => {
    createRun(dir, { x: 1 })
    const p = runPaths(dir)
    finishIteration(dir, metricsOf(0), snapshot, stateOf(0), false)
    const lines = readFileSync(p.metrics, 'utf8')
    rmSync(p.metrics)
    mkdirSync(p.metrics) // appending to a directory fails
    assert.throws(() => finishIteration(dir, metricsOf(1), snapshot, stateOf(1), false))
    rmSync(p.metrics, { recursive: true })
    writeFileSync(p.metrics, lines)
    assert.deepEqual(readState(dir), stateOf(0))
    assert.deepEqual(resume(dir), { next: 1, state: stateOf(0) })
  }))

test('a bad line names its number and the field; metrics that miss a finished iteration are refused', () =>
  withDir((dir) => {
    createRun(dir, { x: 1 })
    const p = runPaths(dir)
    writeFileSync(
      p.metrics,
      line(0) + line(1) + `${JSON.stringify({ ...emptyMetrics, 'charts/success': 2 })}\n`
    )
    assert.throws(() => readMetrics(dir), /line 3[\s\S]*charts\/success/)
    writeFileSync(p.metrics, line(0) + `${JSON.stringify({ ...emptyMetrics, 'charts/sucess': 0 })}\n`)
    assert.throws(
      () => readMetrics(dir),
      /line 2[\s\S]*unknown key "charts\/sucess" \(did you mean "charts\/success"\?\)/
    )
    writeFileSync(p.metrics, line(0) + line(2))
    writeFileSync(p.state, JSON.stringify(stateOf(2)))
    assert.throws(() => resume(dir), /iterations 0–2 finished/)
  }))

test('atomic files are never seen half-written, even when the writer is killed mid-way', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'empo2-atomic-'))
  try {
    const target = join(dir, 'state.json')
    const size = 1 << 20 // 1 MiB, so a write takes long enough to be caught in the middle
    writeFileSync(target, 'a'.repeat(size))
    const child = join(dir, 'writer.ts')
    const fsModule = new URL('../../../src/effects/fs.ts', import.meta.url).href
    writeFileSync(
      child,
      `import { writeFileAtomic } from ${JSON.stringify(fsModule)}\n` +
        `for (let i = 0; ; i++) writeFileAtomic(${JSON.stringify(target)}, (i % 2 ? 'a' : 'b').repeat(${size}))\n`
    )
    const proc = spawn(process.execPath, ['--import', 'tsx', child], { stdio: 'ignore' })
    const seen = new Set<string>()
    // the loop ends as soon as both versions are seen; the long deadline only covers a slow start
    // of the writer (tsx compiling it) on a loaded machine, where 3 s was seen to be too short
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline && seen.size < 2) {
      const s = readFileSync(target, 'latin1')
      assert.equal(s.length, size, 'a reader saw a file of the wrong length')
      assert.ok(s === s.charAt(0).repeat(size), 'a reader saw a mix of two writes')
      seen.add(s.charAt(0))
      await new Promise((r) => setTimeout(r, 5))
    }
    proc.kill('SIGKILL')
    await new Promise((r) => proc.once('exit', r))
    const s = readFileSync(target, 'latin1')
    assert.ok(s.length === size && s === s.charAt(0).repeat(size), 'the file was left half-written')
    assert.ok(seen.size === 2, 'the writer never replaced the file (the test saw only one version)')
    // the kill left the writer's temporary file; removeStaleTemps takes it and nothing else
    const before = readdirSync(dir).sort()
    const removed = removeStaleTemps(dir)
    assert.deepEqual(readdirSync(dir).sort(), ['state.json', 'writer.ts'])
    assert.deepEqual(
      [...removed].sort(),
      before.filter((n) => n !== 'state.json' && n !== 'writer.ts')
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a run stored before later-added switches reads back with their values from before (and one stored after, unchanged)', async () => {
  const { readStoredRun } = await import('../../../src/effects/train/run.ts')
  const { mainJobRun } = await import('../../../src/spec/run.ts')
  const { switchesAddedLater } = await import('../../../src/spec/config.ts')
  const dir = mkdtempSync(join(tmpdir(), 'empo2-old-'))
  try {
    const run = mainJobRun('empo2', 'official')
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ seed: 3, run }))
    assert.deepEqual(readStoredRun(dir).run, run)
    const algo = JSON.parse(JSON.stringify(run.algo)) as Record<string, Record<string, unknown>>
    for (const [path] of switchesAddedLater) {
      const [section, field] = path.split('.') as [string, string]
      Reflect.deleteProperty(algo[section] as Record<string, unknown>, field)
    }
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ seed: 3, run: { ...run, algo } }))
    const back = readStoredRun(dir).run.algo as unknown as Record<string, Record<string, unknown>>
    for (const [path, before] of switchesAddedLater) {
      const [section, field] = path.split('.') as [string, string]
      assert.deepEqual(back[section]?.[field], before, path)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a run directory has one writer: a second lock is refused naming the pid, and release frees it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'empo2-lock-'))
  try {
    const release = lockRun(dir)
    assert.equal(readFileSync(runPaths(dir).lock, 'utf8'), `${process.pid}\n`)
    assert.throws(
      () => lockRun(dir),
      new RegExp(`being written by another process \\(pid ${process.pid}, this one\\)`)
    )
    release()
    assert.ok(!existsSync(runPaths(dir).lock), 'release left the lock file')
    lockRun(dir)()
    assert.deepEqual(readdirSync(dir), [], 'a lock left files behind')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a lock held by another running process is refused; once that process is gone its lock is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'empo2-lock-'))
  const store = new URL('../../../src/effects/run/store.ts', import.meta.url).href
  const holder = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import(${JSON.stringify(store)}).then((m) => { m.lockRun(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000) })`
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  try {
    await new Promise<void>((ok) => holder.stdout.once('data', () => ok()))
    assert.throws(() => lockRun(dir), new RegExp(`pid ${holder.pid}\\)`))
    holder.kill('SIGKILL') // killed mid-run: its lock stays behind
    await new Promise((r) => holder.once('exit', r))
    assert.equal(readFileSync(runPaths(dir).lock, 'utf8'), `${holder.pid}\n`)
    const told: string[] = []
    const release = lockRun(dir, (m) => told.push(m))
    assert.equal(told.length, 1)
    assert.match(told[0] as string, new RegExp(`lock of pid ${holder.pid}, which no longer runs`))
    assert.equal(readFileSync(runPaths(dir).lock, 'utf8'), `${process.pid}\n`)
    release()
  } finally {
    holder.kill('SIGKILL') // also when an assertion failed: a live holder would keep the test running
    rmSync(dir, { recursive: true, force: true })
  }
})
