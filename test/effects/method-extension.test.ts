/**
 * A method the registry does not know trains through the unchanged effect layer: the "notebook"
 * (docs/architecture.md) keeps every tip the policy writes, shows the last two in every prompt and
 * updates on every step. Nothing under src/effects is told about it.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as t from 'io-ts'
import { mainJobRun } from '../../src/spec/run.ts'
import { none } from '../../src/core/methods/algebra.ts'
import { memoryKind, type MethodDefinition } from '../../src/core/methods/record.ts'
import { updateRows } from '../../src/core/train/train.ts'
import { embed } from '../../src/core/memory/embedding.ts'
import { runRoot, iterationStream } from '../../src/core/train/streams.ts'
import { selectBackend } from '../../src/effects/tensor/backend.ts'
import { mkTransformer, disposeTransformer } from '../../src/effects/tensor/transformer.ts'
import { mkTrainer, trainIteration } from '../../src/effects/train/loop.ts'
import { freshState } from '../../src/effects/train/rollout.ts'

await selectBackend({ log: () => undefined })

// the method, as a new module under src/core/methods would define it
export const notebookMethod: MethodDefinition = {
  configure: (c) => c,
  build: (run) => {
    const memory = memoryKind<string, ReadonlyArray<string>>({
      method: {
        name: 'notebook',
        empty: [],
        write: (episode) => (notes) => (episode.note === null ? notes : [...notes, episode.note]),
        retrieve: () => (notes) => notes.slice(-2),
        render: (notes) => notes.join('\n'),
        update: none
      },
      shown: (notes) => notes,
      unit: 'notes',
      size: (notes) => notes.length,
      recent: (notes) => (n) => notes.slice(-n).reverse(),
      key: 'notes',
      codec: t.readonlyArray(t.string)
    })
    return {
      agent: run.agent,
      memory,
      trialMemory: memory,
      trainingModes: () => ({ _tag: 'Fixed', mode: 'onPolicyWithTips' }),
      writesTips: true,
      writesMemory: true,
      updateRows
    }
  }
}

test('a method outside the registry trains through the effect layer: it stores, shows and updates as its record says', async () => {
  const base = mainJobRun('empo2', 'paper')
  const run = {
    ...base,
    model: { ...base.model, width: 16, depth: 1, heads: 2, contextLength: 96, maxNewTokens: 24 },
    algo: {
      ...base.algo,
      rollout: { ...base.algo.rollout, groupSize: 2, tasksPerBatch: 2, maxSteps: 2, maxResponseTokens: 24 }
    },
    agent: { ...base.agent, tipMaxTokens: 8 }
  } as typeof base
  const algo = notebookMethod.configure(run.algo)
  const method = { algo, ...notebookMethod.build({ ...run, algo }, embed) }
  const model = mkTransformer(run.model)
  try {
    const trainer = { ...mkTrainer(run, model, null), method }
    const root = runRoot(3)
    let state = freshState(method.memory.empty)
    const written: string[] = []
    for (let it = 0; it < 2; it++) {
      const before = written.slice(-2)
      const r = await trainIteration(trainer, it, state, iterationStream(root, it))
      // every step showed the last two notes written before the iteration, and was updated
      for (const e of r.episodes) for (const s of e.steps) assert.deepEqual(s.tips, before)
      assert.equal(
        r.update.rows,
        r.episodes.reduce((n, e) => n + e.steps.length, 0)
      )
      written.push(...r.episodes.flatMap((e) => (e.tip === null ? [] : [e.tip])))
      state = r.state
      assert.ok(written.length > 0, 'no tip was written')
      assert.equal(state.memory.unit, 'notes')
      assert.deepEqual(state.memory.snapshot, { notes: written })
    }
  } finally {
    disposeTransformer(model)
  }
})

test('docs/architecture.md shows this very definition', () => {
  const definition = (text: string): string => {
    const start = text.indexOf('export const notebookMethod')
    const end = text.indexOf('\n}\n', start)
    assert.ok(start >= 0 && end > start, 'no notebookMethod definition')
    return text.slice(start, end + 2)
  }
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'architecture.md'), 'utf8')
  assert.equal(definition(doc), definition(readFileSync(import.meta.filename, 'utf8')))
})
