/**
 * Training on an environment other than the embedded suite, from the command line: two iterations on
 * advent.z5 (a Z-machine game the prior has never seen), killed after the first and resumed, write
 * the same metrics and evaluation as an uninterrupted run; the run records its environment.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'

const bin = new URL('../../bin/empo2.mjs', import.meta.url).pathname
const advent = createRequire(import.meta.url).resolve('glkote-term/tests/advent.z5')
const tmp = mkdtempSync(join(tmpdir(), 'empo2-env-'))
// a small batch: 1 task × 2 rollouts of at most 4 steps, one held-out episode
const config = join(tmp, 'small.json')
writeFileSync(
  config,
  JSON.stringify({
    algo: { rollout: { groupSize: 2, tasksPerBatch: 1, maxSteps: 4 } },
    schedule: { evalVariants: 1, evalEvery: 1 }
  })
)

// run `empo2 train` on advent; with `killAfter`, SIGKILL it once that many iterations are reported
const train = (name: string, extra: ReadonlyArray<string>, killAfter?: number) =>
  new Promise<{ readonly code: number | null; readonly stderr: string }>((resolve) => {
    const args = [
      bin,
      'train',
      '--env',
      `zmachine:${advent}`,
      '--runs',
      tmp,
      '--name',
      name,
      '--events',
      ...extra
    ]
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    let seen = 0
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.stdout.on('data', (d: Buffer) => {
      seen += d
        .toString()
        .split('\n')
        .filter((l) => l.includes('"event":"iteration"')).length
      if (killAfter !== undefined && seen >= killAfter) p.kill('SIGKILL')
    })
    p.on('close', (code) => resolve({ code, stderr }))
  })

const metrics = (name: string): ReadonlyArray<Record<string, unknown>> =>
  readFileSync(join(tmp, name, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => ({ ...(JSON.parse(l) as Record<string, unknown>), 'time/wall_s': 0 }))

test('train --env zmachine:advent.z5 trains two iterations, records the game, and resumes a kill exactly', async () => {
  try {
    const whole = await train('whole', ['-i', '2', '--config', config])
    assert.equal(whole.code, 0, whole.stderr)
    const stored = JSON.parse(readFileSync(join(tmp, 'whole', 'config.json'), 'utf8')) as {
      run: { env: unknown; schedule: { families: ReadonlyArray<string> } }
    }
    assert.deepEqual(stored.run.env, { kind: 'zmachine', game: advent })
    assert.deepEqual(stored.run.schedule.families, ['advent'])
    assert.equal(metrics('whole').length, 2)

    const killed = await train('killed', ['-i', '2', '--config', config], 1)
    assert.equal(killed.code, null, 'the run was not killed')
    assert.equal(metrics('killed').length, 1, 'killed after its first iteration')
    const resumed = await train('killed', ['--resume'])
    assert.equal(resumed.code, 0, resumed.stderr)
    assert.deepEqual(metrics('killed'), metrics('whole'))
    const evaluation = (name: string): unknown =>
      JSON.parse(readFileSync(join(tmp, name, 'eval.json'), 'utf8'))
    assert.deepEqual(evaluation('killed'), evaluation('whole'))
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

// `empo2 eval` of the committed prior, as JSON
const evalJson = (extra: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ readonly code: number | null; readonly out: string; readonly stderr: string }>((resolve) => {
    const args = [
      bin,
      'eval',
      'prior/default.ckpt',
      '--variants',
      '1',
      '--ood-variants',
      '1',
      '--json',
      ...extra
    ]
    const p = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env }
    })
    let out = ''
    let stderr = ''
    p.stdout.on('data', (d: Buffer) => (out += d.toString()))
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.on('close', (code) => resolve({ code, out, stderr }))
  })

test('eval --env bridge:<the suite served over the bridge> gives the in-process suite’s evaluation', async () => {
  const server = new URL('../../src/effects/env/serveSuite.ts', import.meta.url).pathname
  const inProcess = await evalJson([])
  const bridged = await evalJson(['--env', `bridge:${process.execPath} --import tsx ${server}`])
  assert.equal(inProcess.code, 0, inProcess.stderr)
  assert.equal(bridged.code, 0, bridged.stderr)
  const figures = (s: string): unknown => {
    const o = JSON.parse(s) as { heldOut: unknown; ood: unknown; tips: unknown }
    return { heldOut: o.heldOut, ood: o.ood, tips: o.tips }
  }
  assert.deepEqual(figures(bridged.out), figures(inProcess.out))
})

test('eval --env scienceworld reaches the adapter from the CLI (against the fake simulator): one episode per task', async () => {
  const fake = new URL('env/fixtures/fake_scienceworld', import.meta.url).pathname
  const r = await evalJson(['--env', 'scienceworld'], { PYTHONPATH: fake, PYTHONDONTWRITEBYTECODE: '1' })
  assert.equal(r.code, 0, r.stderr)
  const o = JSON.parse(r.out) as { heldOut: { episodes: number; perFamily: Record<string, unknown> } }
  assert.ok(o.heldOut.episodes > 0)
  assert.equal(o.heldOut.episodes, Object.keys(o.heldOut.perFamily).length)
  assert.ok('boil' in o.heldOut.perFamily, JSON.stringify(o.heldOut.perFamily))
})
