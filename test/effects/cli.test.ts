/**
 * The `empo2` binary as a user meets it, run as a child process: `--help` for every command, exit
 * code 2 and one line naming the flag for a bad flag or value, exit code 1 and the message only (no
 * stack unless EMPO2_DEBUG=1) for any other failure, and `inspect` on a run directory written here
 * with the run store.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRun, finishIteration, writeEvaluation } from '../../src/effects/run/store.ts'
import { emptyMetrics } from '../../src/spec/metrics.ts'
import { mainJobRun } from '../../src/spec/run.ts'
import { emptyMemory, insert } from '../../src/core/memory/memory.ts'
import { emptyNovelty } from '../../src/core/memory/novelty.ts'

const bin = new URL('../../bin/empo2.mjs', import.meta.url).pathname
const commands = ['pretrain', 'train', 'eval', 'compare', 'vectors', 'inspect']

interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}
const empo2 = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  cwd?: string
): Promise<Result> =>
  new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    p.on('error', reject)
    p.on('close', (code) => resolve({ code, stdout, stderr }))
  })
const stack = /\n\s+at .*:\d+:\d+/u
// at most two children at a time: the machine's cores are shared
const all = async <A, B>(xs: ReadonlyArray<A>, f: (a: A) => Promise<B>): Promise<B[]> => {
  const out: B[] = []
  for (let i = 0; i < xs.length; i += 2) out.push(...(await Promise.all(xs.slice(i, i + 2).map(f))))
  return out
}

// a fixture run: 3 finished iterations, 3 tips (the newest last), a final evaluation
const dir = mkdtempSync(join(tmpdir(), 'empo2-cli-'))
const run = join(dir, 'fixture')
createRun(run, { seed: 7, run: mainJobRun('empo2', 'paper') })
const tips = ['open the red door first', 'press the switch & wait <2 turns>', 'the key is under the mat']
const memory = tips.reduce(
  (m, tip, i) =>
    insert({ capacity: 10, dedup: true })({
      partition: 'collect',
      key: [1, i],
      tip,
      action: null,
      score: 10 * i
    })(m),
  emptyMemory
)
for (const i of [0, 1, 2])
  finishIteration(
    run,
    {
      ...emptyMetrics,
      iteration: i,
      seed: 7,
      'env/steps': 100 * (i + 1),
      'charts/success': [0.25, 0.5, 0.875][i] as number,
      'charts/score': 40 + i,
      'losses/policy': -0.0123 * (i + 1),
      'memory/size': i + 1,
      'eval/success': i === 2 ? 0.625 : null
    },
    { memory, reflections: {}, novelty: emptyNovelty },
    { iteration: i, envSteps: 100 * (i + 1), wallSeconds: 3 * (i + 1) },
    false
  )
writeEvaluation(run, {
  method: 'empo2',
  seed: 7,
  envSteps: 300,
  heldOut: { success: 0.625, score: 70, episodes: 8, perFamily: { collect: { success: 0.625, score: 70 } } },
  ood: [{ success: 0.5, score: 50, episodes: 2, perFamily: { deliver: { success: 0.5, score: 50 } } }]
})
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

test('--help works for the program and for every command', async () => {
  const rs = await all([[], ...commands.map((c) => [c])], (c) => empo2([...c, '--help']))
  rs.forEach((r, i) => {
    const name = ['empo2', ...commands.map((c) => `empo2 ${c}`)][i] as string
    assert.equal(r.code, 0, `${name} --help: ${r.stderr}`)
    assert.match(r.stdout, new RegExp(`^Usage: ${name} `, 'u'))
    assert.match(r.stdout, /-h, --help/u)
  })
  for (const c of commands) assert.match(rs[0]?.stdout ?? '', new RegExp(`\\n  ${c} `, 'u'))
})

test('an unknown flag, command or bad value exits 2 with one line naming it, and no stack', async () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
    // every command gets the same handling (withErrorHandling); three of them stand for all
    ...['inspect', 'train', 'vectors'].map(
      (c) => [[c, '--no-such-flag'], new RegExp(`^empo2 ${c}: unknown option '--no-such-flag'`, 'u')] as const
    ),
    [['inspect', run, '--tips', 'many'], /^empo2 inspect: option '--tips <n>' argument 'many' is invalid/u],
    [['inspect', run, '--last', '0'], /--last <n>.*'0'/u],
    [['eval', run, '--rename', 'parcel'], /--rename <from=to,…>.*"parcel" is not from=to/u],
    [['eval', run, '--ood-variants', '26'], /--ood-variants <n>.*\[1, 25\], got "26"/u],
    [['pretrain', '--alias-share', '1.5'], /--alias-share <x>.*\[0, 1\], got "1.5"/u],
    [['inspect'], /missing required argument 'run'/u],
    [['bogus'], /^empo2: unknown command 'bogus'/u]
  ]
  const rs = await all(cases, ([args]) => empo2(args))
  rs.forEach((r, i) => {
    const [args, re] = cases[i] as (typeof cases)[number]
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}, ${r.stderr}`)
    assert.match(r.stderr, re)
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, `more than one line: ${r.stderr}`)
    assert.doesNotMatch(r.stderr, stack)
    assert.equal(r.stdout, '')
  })
})

test('a failure exits 1 with its message only; EMPO2_DEBUG=1 adds the stack', async () => {
  const [plain, debug] = await Promise.all([
    empo2(['inspect', join(dir, 'nope')]),
    empo2(['inspect', join(dir, 'nope')], { EMPO2_DEBUG: '1' })
  ])
  assert.equal(plain.code, 1)
  assert.equal(plain.stderr, `empo2: ${join(dir, 'nope')} is not a run directory (no config.json)\n`)
  assert.equal(debug.code, 1)
  assert.match(debug.stderr, stack)
})

test('pretrain fits the shape its flags name, records them, and refuses a shape it cannot build or one that would overwrite the committed prior', async () => {
  const out = join(dir, 'tiny.ckpt')
  const odd = join(dir, 'odd-shape.ckpt')
  // the third runs in the temporary directory: were the guard broken, it would write a 1-step prior
  // to <dir>/prior/default.ckpt, not over the committed one
  const [fit, bad, overwrite] = (await all(
    [
      [['pretrain', '--steps', '1', '--width', '16', '--depth', '1', '--heads', '2', '--json', '-o', out]],
      [['pretrain', '--width', '100', '--heads', '3', '--out', odd]],
      [['pretrain', '--steps', '1', '--depth', '4'], dir]
    ] as ReadonlyArray<readonly [ReadonlyArray<string>, string?]>,
    ([args, cwd]) => empo2(args, {}, cwd)
  )) as [Result, Result, Result]
  assert.equal(fit.code, 0, fit.stderr)
  const p = JSON.parse(fit.stdout) as {
    command: string
    backend: string
    model: { width: number; depth: number; heads: number }
  }
  assert.deepEqual([p.model.width, p.model.depth, p.model.heads], [16, 1, 2])
  assert.match(p.command, new RegExp(` --width 16 --depth 1 --heads 2 --backend ${p.backend}$`, 'u'))
  assert.equal(existsSync(out), true)
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /--width 100 --depth 2 --heads 3: .*at width: 100 is not divisible by heads = 3/su)
  assert.equal(existsSync(odd), false)
  assert.equal(overwrite.code, 1)
  assert.match(
    overwrite.stderr,
    /--steps, --depth differ from the committed prior's settings: write it elsewhere with -o/u
  )
  assert.equal(existsSync(join(dir, 'prior', 'default.ckpt')), false)
  for (const r of [bad, overwrite]) assert.doesNotMatch(r.stderr, stack)
})

test('compare and eval check --config; compare refuses to reuse runs of another config, before it trains or writes anything', async () => {
  const file = (name: string, body: unknown) => {
    const p = join(dir, name)
    writeFileSync(p, JSON.stringify(body))
    return p
  }
  // a run of the main job's config (seed 7, no iteration yet) in comparison `cmp`
  createRun(join(dir, 'cmp', 'empo2-s7'), { seed: 7, run: mainJobRun('empo2', 'paper') })
  // a run that started from a prior file whose bytes have changed since
  const prior = file('prior.ckpt', { weights: 'not the ones the run started from' })
  createRun(join(dir, 'cmp-prior', 'empo2-s7'), {
    seed: 7,
    run: { ...mainJobRun('empo2', 'paper'), prior },
    priorSha256: '0'.repeat(64)
  })
  const base = ['compare', '--runs', dir, '--methods', 'empo2', '--seeds', '7']
  const dual = file('dual.json', { algo: { clip: { dualClip: 10 } } })
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
    [[...base, '--name', 'cmp', '--iterations', '5'], 'first difference at schedule.iterations'],
    [[...base, '--name', 'cmp', '--config', dual], 'first difference at algo.clip.dualClip'],
    [[...base, '--name', 'cmp', '--preset', 'official'], 'first difference at algo.preset'],
    [
      [...base, '--name', 'fresh', '--config', file('typo.json', { algo: { clip: { dualClp: 10 } } })],
      'at algo.clip.dualClp: unknown key'
    ],
    [
      [...base, '--name', 'fresh', '--config', file('low.json', { algo: { clip: { dualClip: 0.5 } } })],
      'at algo.clip.dualClip: must be null or > 1'
    ],
    [
      [...base, '--name', 'fresh', '--config', file('method.json', { method: 'grpo' })],
      '`method` is chosen per run'
    ],
    [
      [...base, '--name', 'fresh', '--config', file('nosched.json', { schedule: null })],
      'at schedule: expected an object'
    ],
    [
      [
        ...[...base, '--name', 'fresh', '--preset', 'official'],
        ...['--config', file('paper.json', { algo: { preset: 'paper', modes: { memoryProb: 0 } } })]
      ],
      'at algo.preset: these overrides apply to a config made from the official preset'
    ],
    [[...base, '--name', 'fresh', '--config', join(dir, 'none.json')], 'cannot read it'],
    [
      [...base, '--name', 'cmp-prior', '--config', file('prior.json', { prior })],
      `holds a run that started from a different version of ${prior} (its file has changed since)`
    ],
    [
      ['eval', run, '--config', file('eval-typo.json', { agent: { maxTipsShwn: 2 } })],
      'at agent.maxTipsShwn: unknown key'
    ],
    // grpo-novelty needs the state-novelty bonus, which the official preset does not have
    [
      [
        'compare',
        '--runs',
        dir,
        '--methods',
        'grpo-novelty',
        '--seeds',
        '7',
        '--name',
        'fresh',
        '--preset',
        'official'
      ],
      'at method: grpo-novelty adds the state-novelty bonus, but novelty.rule is retrievedCount'
    ],
    [
      ['train', '--runs', dir, '--method', 'grpo-novelty', '--name', 'fresh', '--preset', 'official'],
      'at method: grpo-novelty adds the state-novelty bonus, but novelty.rule is retrievedCount'
    ]
  ]
  const rs = await all(cases, ([args]) => empo2(args))
  rs.forEach((r, i) => {
    const [args, want] = cases[i] as (typeof cases)[number]
    assert.equal(r.code, 1, `${args.join(' ')}: exit ${r.code}, ${r.stderr}`)
    assert.ok(r.stderr.includes(want), `${args.join(' ')}: ${r.stderr}`)
    assert.doesNotMatch(r.stderr, stack)
  })
  assert.ok(!existsSync(join(dir, 'fresh')), 'a refused comparison created its directory')
  assert.ok(!existsSync(join(dir, 'cmp', 'overrides.json')), 'a refused comparison wrote its overrides')
})

test('inspect prints the config summary, the last iterations, the memory and the newest tips', async () => {
  const r = await empo2(['inspect', run, '--tips', '2', '--last', '2'])
  assert.equal(r.code, 0, r.stderr)
  const out = r.stdout
  assert.match(out, /empo2, preset paper, seed 7, prior .*, environment suite/u)
  assert.match(out, /finished iterations: 3 of \d+; env steps 300; wall 9 s/u)
  const header = out.split('\n').find((l) => l.startsWith('iter'))
  assert.ok(header !== undefined && /env steps\s+success\s+score\s+policy loss/u.test(header), out)
  const rows = out.split('\n').filter((l) => /^\s*\d+ +\d+ /u.test(l))
  assert.deepEqual(
    rows.map((l) => l.trim().split(/\s+/u)[0]),
    ['1', '2'],
    out
  )
  assert.match(rows[1] as string, /0\.875/u) // the last iteration's training success
  assert.match(out, /memory: 3 tips/u)
  // the two most recent tips, newest first; the oldest is left out
  const i2 = out.indexOf(tips[2] as string)
  const i1 = out.indexOf(tips[1] as string)
  assert.ok(i2 > 0 && i1 > i2 && !out.includes(tips[0] as string), out)
  assert.match(out, /held-out variants, no memory \(8 episodes\): success 0\.625/u)
})

test('inspect shows the settings a method trains with, not the stored base config', async () => {
  const g = join(dir, 'grpo-fixture')
  createRun(g, { seed: 1, run: mainJobRun('grpo', 'paper') })
  const [grpo, empo2Run] = await Promise.all([empo2(['inspect', g]), empo2(['inspect', run])])
  assert.equal(grpo.code, 0, grpo.stderr)
  assert.match(grpo.stdout, /modes perStep \(p = 0, q = [\d.]+\); novelty stateNovelty × 0;/u)
  assert.match(empo2Run.stdout, /modes perStep \(p = 0\.25, q = 0\.68\); novelty stateNovelty × 0\.1;/u)
})

test('inspect --json prints one JSON object with the same facts', async () => {
  const r = await empo2(['inspect', run, '--json', '--tips', '1'])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout.trimEnd().split('\n').length, 1)
  const o = JSON.parse(r.stdout) as Record<string, unknown>
  assert.equal(o['seed'], 7)
  assert.equal((o['config'] as { method: string }).method, 'empo2')
  assert.deepEqual(o['state'], { iteration: 2, envSteps: 300, wallSeconds: 9 })
  assert.deepEqual(
    (o['metrics'] as ReadonlyArray<{ iteration: number }>).map((l) => l.iteration),
    [0, 1, 2]
  )
  const memory = o['memory'] as { size: number; unit: string; recent: ReadonlyArray<string> }
  assert.equal(memory.size, 3)
  assert.equal(memory.unit, 'tips')
  assert.equal(memory.recent.length, 1)
  assert.ok(memory.recent[0]?.endsWith(` ${tips[2]}`), memory.recent[0])
  assert.equal((o['evaluation'] as { heldOut: { success: number } }).heldOut.success, 0.625)
  assert.equal(r.stderr, '')
})
