// End-to-end smoke test of the training loop on a tiny config: metrics are written and valid, the
// loss is finite, a crash between the metrics append and the state write (plus a torn line) is
// resumed to exactly the metrics of an uninterrupted run, and the CLI inspects the result; from the
// committed prior, the final evaluation has figures a resume must recompute exactly.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import * as E from 'fp-ts/lib/Either.js'
import { decodeRunConfig, mainJobRun, type RunConfig } from '../../src/spec/run.ts'
import { positiveInt, seed } from '../../src/spec/brands.ts'
import { selectBackend } from '../../src/effects/tensor/backend.ts'
import { readStoredRun, trainRun } from '../../src/effects/train/run.ts'
import { fileSha256 } from '../../src/effects/fs.ts'
import { readEvaluation, readMemory, readMetrics, runPaths } from '../../src/effects/run/store.ts'
import { playMemoryTrials, runHeldOutTasks } from '../../src/effects/train/eval.ts'
import { mkRng } from '../../src/core/rng.ts'
import { loadCheckpoint, saveCheckpoint } from '../../src/effects/tensor/checkpoint.ts'
import { mkTransformer } from '../../src/effects/tensor/transformer.ts'

await selectBackend({ log: () => undefined })

// the tiny run: overrides of the main job's config (the compare test below writes them to a file)
const tiny = {
  prior: null,
  model: { width: 16, depth: 1, heads: 2, contextLength: 96, maxNewTokens: 24 },
  algo: {
    rollout: { groupSize: 2, tasksPerBatch: 2, maxSteps: 3, maxResponseTokens: 24 },
    modes: { memoryProb: 0.5 }
  },
  agent: { tipMaxTokens: 8 },
  schedule: {
    iterations: 3,
    families: ['activate-light', 'collect'],
    evalEvery: 2,
    evalVariants: 1,
    oodFamilies: ['deliver'],
    oodVariants: 1,
    oodTrials: 2,
    checkpointEvery: 2
  }
}
// the main job's EMPO² config with these overrides, or the codec's problems
const mainJobWith = (overrides: unknown): RunConfig => {
  const decoded = decodeRunConfig(mainJobRun('empo2', 'paper'))(overrides)
  if (E.isLeft(decoded)) throw new Error(decoded.left.problems.join('; '))
  return decoded.right
}
const run = mainJobWith(tiny)
const defaultPrior = join(import.meta.dirname, '..', '..', 'prior', 'default.ckpt')
const tmp = mkdtempSync(join(tmpdir(), 'empo2-e2e-'))
const noWall = (dir: string) => readMetrics(dir).lines.map((l) => ({ ...l, 'time/wall_s': 0 }))

test('a tiny run writes valid metrics with finite losses, an evaluation, and resumes a crash exactly', async () => {
  try {
    const a = join(tmp, 'a')
    const phases: string[] = []
    await trainRun(a, run, 5, false, { onPhase: (ph) => phases.push(ph) })
    // held out after iterations 1 and 2 (evalEvery 2, and the last), the last one being the final
    // evaluation, not run again
    assert.deepEqual(phases, ['held-out evaluation', 'held-out evaluation', 'out-of-distribution trials'])
    const lines = readMetrics(a).lines
    assert.deepEqual(
      lines.map((l) => l.iteration),
      [0, 1, 2]
    )
    for (const l of lines) {
      assert.ok(l['env/steps'] > 0)
      for (const k of ['losses/policy', 'losses/clipfrac', 'losses/approx_kl', 'losses/grad_norm'] as const) {
        const v = l[k]
        assert.ok(v === null || Number.isFinite(v), `${k} = ${v}`)
      }
    }
    assert.ok(
      lines.some((l) => l['losses/policy'] !== null),
      'no iteration updated the policy'
    )
    assert.notEqual(lines[1]?.['eval/success'], null) // evalEvery 2
    assert.ok(
      lines.some((l) => l['memory/size'] > 0),
      'no tip was stored'
    )
    const ev = readEvaluation(a)
    assert.ok(ev !== null && ev.ood.length === 2 && ev.heldOut.episodes === 2)
    assert.deepEqual(
      [lines[2]?.['eval/success'], lines[2]?.['eval/score']],
      [ev.heldOut.success, ev.heldOut.score]
    )

    // the same run, interrupted during iteration 2: its metrics line was appended (and a torn line
    // after it) but state.json still names iteration 1, and there is no evaluation yet
    const b = join(tmp, 'b')
    await trainRun(b, run, 5, false)
    const p = runPaths(b)
    const l1 = readMetrics(b).lines[1]
    assert.ok(l1 !== undefined)
    writeFileSync(
      p.state,
      JSON.stringify({ iteration: 1, envSteps: l1['env/steps'], wallSeconds: l1['time/wall_s'] })
    )
    appendFileSync(p.metrics, '{"iteration": 3, "meth')
    rmSync(p.evaluation)
    await trainRun(b, run, 5, true)
    assert.deepEqual(noWall(b), noWall(a))
    assert.deepEqual(readEvaluation(b), ev)
    // killed after its last iteration but before its evaluation was written: only that is redone
    rmSync(p.evaluation)
    const resumedPhases: string[] = []
    await trainRun(b, run, 5, true, { onPhase: (ph) => resumedPhases.push(ph) })
    assert.deepEqual(resumedPhases, ['held-out evaluation', 'out-of-distribution trials'])
    assert.deepEqual(readEvaluation(b), ev)
    assert.deepEqual(noWall(b), noWall(a))
    // and the weights and optimiser state it ends with are the uninterrupted run's, bit for bit
    const ckpt = (dir: string) => readFileSync(runPaths(dir).resumeCheckpoint(2), 'utf8')
    assert.ok(ckpt(a) === ckpt(b), 'the resumed run ends with other weights or optimiser state')

    // a fresh run into an existing directory is refused
    await assert.rejects(trainRun(a, run, 5, false), /already holds a run/)

    // the CLI inspects it: a table in text, one object with --json
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'empo2.mjs')
    const text = spawnSync(process.execPath, [bin, 'inspect', a], { encoding: 'utf8' })
    assert.equal(text.status, 0, text.stderr)
    assert.match(text.stdout, /held-out variants, no memory/)
    const js = spawnSync(process.execPath, [bin, 'inspect', a, '--json'], { encoding: 'utf8' })
    assert.equal(js.status, 0, js.stderr)
    const o = JSON.parse(js.stdout) as { metrics: unknown[]; memorySize: number }
    assert.equal(o.metrics.length, 3)
    const bad = spawnSync(process.execPath, [bin, 'inspect', a, '--tips', 'many'], { encoding: 'utf8' })
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /--tips/)
    assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/) // no stack trace
    // eval: memory trials on the held-out variants too; tips written by a checkpoint with the same
    // weights change nothing, by one with another tokenizer are refused
    const evalJson = (...args: string[]) => {
      const r = spawnSync(process.execPath, [bin, 'eval', a, '--held-out-memory', '--json', ...args], {
        encoding: 'utf8'
      })
      assert.equal(r.status, 0, r.stderr)
      return JSON.parse(r.stdout) as {
        heldOut: unknown
        ood: unknown[]
        heldOutWithMemory: unknown[]
        tips: {
          ood: Array<Array<{ tip: string | null }>>
          heldOutWithMemory: Array<Array<{ tip: string | null }>>
        }
      }
    }
    const own = evalJson()
    assert.equal(own.heldOutWithMemory.length, 2) // oodTrials 2
    assert.equal(own.ood.length, 2)
    assert.equal(own.tips.heldOutWithMemory.length, 2)
    assert.ok(
      own.tips.heldOutWithMemory.flat().some((t) => t.tip !== null),
      'no tip was written'
    )
    // --trained-memory: the first trial reads the run's memory (stored tips are shown before any
    // trial wrote one), where from an empty memory it shows none; a checkpoint file has no memory
    const firstTrialShows = async (startFrom?: Readonly<Record<string, unknown>>) => {
      const stored = readStoredRun(a).run
      const trials = await playMemoryTrials(
        loadCheckpoint(runPaths(a).resumeCheckpoint(2)).model,
        stored,
        mkRng(0),
        {
          tasks: await runHeldOutTasks(stored),
          trials: 1,
          startFrom
        }
      )
      return (trials[0] ?? []).flatMap((e) => e.steps.flatMap((x) => x.tips))
    }
    assert.deepEqual(await firstTrialShows(), [])
    assert.ok((await firstTrialShows(readMemory(runPaths(a).resumeMemory(2)))).length > 0)
    const fromTrained = evalJson('--trained-memory')
    assert.equal((fromTrained as { trainedMemory?: boolean }).trainedMemory, true)
    const onFile = spawnSync(
      process.execPath,
      [bin, 'eval', runPaths(a).resumeCheckpoint(2), '--trained-memory'],
      {
        encoding: 'utf8'
      }
    )
    assert.notEqual(onFile.status, 0)
    assert.match(
      onFile.stderr,
      /--trained-memory: .* is a checkpoint file, not a run directory with a memory/
    )
    const same = evalJson('--tips-by', runPaths(a).resumeCheckpoint(2))
    assert.deepEqual(
      [same.heldOut, same.ood, same.heldOutWithMemory, same.tips],
      [own.heldOut, own.ood, own.heldOutWithMemory, own.tips]
    )
    // a writer with other weights (the same config and tokenizer, another initial seed) writes other tips;
    // the first trial's actions are played before any tip is read, so its result cannot change
    const trained = loadCheckpoint(runPaths(a).resumeCheckpoint(2)).model
    const otherWriter = join(tmp, 'other-writer.ckpt')
    saveCheckpoint(otherWriter, mkTransformer({ ...trained.config, seed: seed(trained.config.seed + 1) }))
    const other = evalJson('--tips-by', otherWriter)
    assert.notDeepEqual(other.tips.heldOutWithMemory, own.tips.heldOutWithMemory)
    assert.deepEqual(other.heldOutWithMemory[0], own.heldOutWithMemory[0])
    // a run from a prior records the digest of the prior's file (compare refuses to reuse it once the
    // file changes: test/effects/cli.test.ts)
    const fromPrior = join(tmp, 'from-prior')
    await trainRun(
      fromPrior,
      { ...run, prior: otherWriter, schedule: { ...run.schedule, iterations: positiveInt(1) } },
      5,
      false
    )
    assert.equal(readStoredRun(fromPrior).priorSha256, fileSha256(otherWriter))
    // …and will not resume once that file has changed (it would start or anchor the run on other weights)
    const longer = { ...run, prior: otherWriter, schedule: { ...run.schedule, iterations: positiveInt(2) } }
    saveCheckpoint(otherWriter, mkTransformer({ ...trained.config, seed: seed(trained.config.seed + 2) }))
    await assert.rejects(
      trainRun(fromPrior, longer, 5, true),
      new RegExp(
        `--resume: ${fromPrior} is a run that started from a different version of ${otherWriter} \\(its file has changed since\\)`
      )
    )
    assert.equal(readMetrics(fromPrior).lines.length, 1)
    // --ood-variants sets the count; --rename reaches the out-of-distribution environments: a renaming
    // of the deliver items runs and is echoed; refused before play are one of words no evaluated world
    // has, a target a world shows (variant 0's sock) and one met along the oracle's plan ("drop
    // parcel"); a target met only off that path ("You carry …" answers `inventory`) stops the
    // evaluation mid-episode, by name
    const twoVariants = evalJson('--ood-variants', '2')
    assert.equal((twoVariants.ood[0] as { episodes: number }).episodes, 2)
    const items = evalJson('--ood-variants', '2', '--rename', 'parcel=ruby,letter=silver key')
    assert.deepEqual((items as unknown as { oodRenamed: unknown }).oodRenamed, [
      ['parcel', 'ruby'],
      ['letter', 'silver key']
    ])
    assert.deepEqual(items.heldOut, own.heldOut)
    const refused = (pairs: string, re: RegExp) => {
      const r = spawnSync(process.execPath, [bin, 'eval', a, '--rename', pairs], { encoding: 'utf8' })
      assert.equal(r.status, 1, `--rename ${pairs}: ${r.stderr}`)
      assert.match(r.stderr, re)
    }
    refused('zebra=yak', /rename: "zebra" occurs in none of the evaluated variants/u)
    refused('parcel=sock', /rename: deliver variant 0: "sock" already occurs/u)
    refused('parcel=drop', /rename: deliver variant 0: "drop" already occurs/u)
    refused('parcel=carry', /deliver variant \d, trial \d, mid-episode: rename: "carry" already occurs/u)
    const mismatched = spawnSync(process.execPath, [bin, 'eval', a, '--tips-by', defaultPrior], {
      encoding: 'utf8'
    })
    assert.equal(mismatched.status, 1)
    assert.match(mismatched.stderr, /--tips-by .*tokenizer differs/)
    const missing = spawnSync(process.execPath, [bin, 'inspect', join(tmp, 'nope')], { encoding: 'utf8' })
    assert.equal(missing.status, 1)
    assert.match(missing.stderr, /not a run directory/)
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
})

test("from the committed prior the final evaluation scores, is the last iteration's, and a resume recomputes it", async () => {
  // the tiny run above cannot tell two evaluations apart (its policy scores 0 everywhere); the prior
  // scores on a few held-out variants within 15 steps, so here a different stream or other weights
  // would show in the figures
  const root = mkdtempSync(join(tmpdir(), 'empo2-e2e-prior-'))
  try {
    const fromDefault = mainJobWith({
      prior: defaultPrior,
      algo: { rollout: { groupSize: 2, tasksPerBatch: 2, maxSteps: 15 } },
      schedule: { iterations: 2, evalEvery: 0, evalVariants: 3, oodFamilies: [], oodVariants: 0 }
    })
    const dir = join(root, 'p')
    await trainRun(dir, fromDefault, 5, false)
    const ev = readEvaluation(dir)
    assert.ok(ev !== null && ev.heldOut.episodes === 18)
    assert.ok(ev.heldOut.score > 0, 'the evaluation scores 0, so this test could not tell two apart')
    const lines = readMetrics(dir).lines
    assert.deepEqual(
      lines.map((l) => [l['eval/success'], l['eval/score']]),
      [
        [null, null],
        [ev.heldOut.success, ev.heldOut.score]
      ]
    )
    rmSync(runPaths(dir).evaluation)
    await trainRun(dir, fromDefault, 5, true)
    assert.deepEqual(readEvaluation(dir), ev)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test('compare trains methods × seeds as child processes, writes the table and plots, and reuses finished runs', async () => {
  const root = mkdtempSync(join(tmpdir(), 'empo2-compare-'))
  try {
    const cfg = join(root, 'tiny.json')
    // the tiny run of the test above with the main job's mode probabilities, no OOD families, 2 iterations
    writeFileSync(
      cfg,
      JSON.stringify({
        ...tiny,
        algo: { rollout: tiny.algo.rollout },
        schedule: { ...tiny.schedule, iterations: 2, oodFamilies: [], oodVariants: 0 }
      })
    )
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'empo2.mjs')
    const compare = () =>
      spawnSync(
        process.execPath,
        [
          bin,
          'compare',
          '--runs',
          root,
          '--name',
          'c',
          '--methods',
          'empo2,grpo',
          '--seeds',
          '3',
          '--config',
          cfg,
          '--json'
        ],
        { encoding: 'utf8' }
      )
    const first = compare()
    assert.equal(first.status, 0, first.stderr)
    const a = JSON.parse(first.stdout) as {
      table: { rows: string[][] }
      failed: unknown[]
      plots: Record<string, string>
    }
    assert.deepEqual(a.failed, [])
    assert.deepEqual(
      a.table.rows.map((r) => [r[0], r[1]]),
      [
        ['empo2 + tiny', '1'],
        ['grpo + tiny', '1']
      ]
    )
    for (const f of Object.values(a.plots)) assert.match(readFileSync(f, 'utf8'), /^<svg/)
    const metrics = readFileSync(join(root, 'c', 'empo2-s3', 'metrics.jsonl'), 'utf8')
    // run again: both runs are finished, so nothing is retrained and the table is the same
    const second = compare()
    assert.equal(second.status, 0, second.stderr)
    assert.deepEqual((JSON.parse(second.stdout) as typeof a).table, a.table)
    assert.equal(readFileSync(join(root, 'c', 'empo2-s3', 'metrics.jsonl'), 'utf8'), metrics)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})
