/**
 * Rollouts with a stub policy that records its prompts: what a step's prompt shows from memory.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { officialPreset, paperPreset, type Config } from '../../src/spec/config.ts'
import type { Memory } from '../../src/spec/data.ts'
import { partitionOf } from '../../src/core/memory/memory.ts'
import { capTip } from '../../src/core/agent/agent.ts'
import { defaultAgent, mainJobRun } from '../../src/spec/run.ts'
import type { Policy, Sampled } from '../../src/core/agent/policy.ts'
import { embed } from '../../src/core/memory/embedding.ts'
import { nonNegativeInt, positiveInt } from '../../src/spec/brands.ts'
import { mkRng } from '../../src/core/rng.ts'
import { embeddedSuite } from '../../src/effects/env/inProcess.ts'
import {
  freshState,
  playEpisodes,
  type MemoryState,
  type RolloutSettings
} from '../../src/effects/train/rollout.ts'
import { runMethod } from '../../src/core/methods/registry.ts'
import type { Embedder } from '../../src/core/memory/embedding.ts'

/** Answers `look` to every step and an empty tip; keeps every step prompt it was given. */
const recordingPolicy = (prompts: string[]): Policy => {
  const answer = (text: string): Sampled => ({
    text,
    tokens: [0],
    logProbs: [0],
    samplingLogProbs: [0],
    finished: true
  })
  return {
    info: { name: 'recording stub', vocabSize: 1, contextLength: 1, parameterCount: 0 },
    encode: () => [0],
    decode: () => '',
    sample: async (requests) => {
      prompts.push(...requests.map((r) => r.prompt))
      return requests.map(() => answer('look'))
    },
    score: async (requests) => requests.map(() => [0]),
    generate: async (requests) => requests.map(() => answer(''))
  }
}

// one evaluation episode with memory: the method record of `method` under `algo` and the default
// agent budget changed by `agent`, its settings, and its memory restored from `stored`
const withMemoryEval = (
  method: 'empo2' | 'reflexion',
  algo: Config,
  agent: Partial<typeof defaultAgent>,
  maxSteps: number,
  stored: Readonly<Record<string, unknown>>,
  embedder: Embedder = embed
): { readonly settings: RolloutSettings; readonly state: MemoryState } => {
  const m = runMethod(
    { ...mainJobRun(method, 'paper'), algo, agent: { ...defaultAgent, ...agent } },
    embedder
  )
  return {
    settings: {
      algo: m.algo,
      agent: m.agent,
      temperature: 1,
      tipTemperature: 1,
      maxSteps,
      modes: { _tag: 'Fixed', mode: 'onPolicyWithTips' },
      writesTips: true,
      writesMemory: true,
      learnsNovelty: false
    },
    state: freshState(m.trialMemory.restore(stored))
  }
}

const play = (
  prompts: string[],
  e: { readonly settings: RolloutSettings; readonly state: MemoryState },
  policy: Policy = recordingPolicy(prompts),
  embedder: Embedder = embed
) =>
  playEpisodes(
    { policy, envs: [embeddedSuite()], embedder },
    e.settings,
    [{ task: 'collect', variant: 0, group: 0, seed: 0 }],
    e.state,
    mkRng(0)
  )

for (const shown of [1, 2, 3, 4]) {
  test(`Reflexion shows its last 3 reflections whatever the tip cap (maxTipsShown ${shown})`, async () => {
    const prompts: string[] = []
    const reflections = ['r1', 'r2', 'r3', 'r4', 'r5'].map((r) => `reflection ${r}.`)
    await play(
      prompts,
      withMemoryEval('reflexion', paperPreset, { maxTipsShown: nonNegativeInt(shown) }, 1, {
        reflections: { collect: reflections }
      })
    )
    assert.equal(prompts.length, 1)
    const expected = reflections.slice(-3)
    for (const r of reflections)
      assert.equal(prompts[0]?.includes(r), expected.includes(r), `${r} in the prompt:\n${prompts[0]}`)
  })
}

test('Reflexion shows each reflection capped to maxTipChars', async () => {
  const prompts: string[] = []
  const long = `${'reflect '.repeat(20)}end.`
  await play(
    prompts,
    withMemoryEval('reflexion', paperPreset, { maxTipChars: positiveInt(30) }, 1, {
      reflections: { collect: [long] }
    })
  )
  assert.ok(prompts[0]?.includes(`- ${capTip(30)(long)}\n</tips>`), prompts[0])
  assert.ok(!prompts[0]?.includes('end.'))
})

// every query and key embeds to the same vector, so every stored entry of the partition is retrieved
const sameEverywhere = (): number[] => [1, 0]

const withTwoEntries = (algo: Config): Memory => {
  const partition = partitionOf(algo.memory.scope, 'collect', 0)
  const e = (seq: number, action: string, score: number) => ({
    partition,
    key: [1, 0],
    tip: 'Try: the hall.',
    action,
    score,
    seq: nonNegativeInt(seq)
  })
  return { entries: [e(0, 'go to hall', 30), e(1, 'look', 30)], nextSeq: nonNegativeInt(2) }
}

for (const [name, algo, shown] of [
  ['paper', paperPreset, ['- Try: the hall.\n- Try: the hall.\n']],
  [
    'official',
    officialPreset,
    [
      '- Try: the hall.; At that timestep, the specific action your took was go to hall; Eventually you got the score 30.0/100.\n',
      '- Try: the hall.; At that timestep, the specific action your took was look; Eventually you got the score 30.0/100.\n'
    ]
  ]
] as const)
  test(`a step prompt shows each retrieved entry by memory.entryText (${name} preset)`, async () => {
    const prompts: string[] = []
    await play(
      prompts,
      withMemoryEval(
        'empo2',
        algo,
        { maxTipsShown: nonNegativeInt(2) },
        1,
        { memory: withTwoEntries(algo) },
        sameEverywhere
      ),
      recordingPolicy(prompts),
      sameEverywhere
    )
    assert.equal(prompts.length, 1)
    const p = prompts[0] as string
    // official: equal scores, oldest first; paper: equal cosines, newest first (the texts are equal)
    assert.ok(p.includes(`<tips>\n${shown.join('')}</tips>\n`), p)
    assert.equal(p.includes('At that timestep'), name === 'official')
  })

for (const [name, algo] of [
  ['paper', paperPreset],
  ['official', officialPreset]
] as const)
  test(`the tip-writing prompt shows the tips each step showed exactly when memory.tipPromptShowsTips (${name} preset)`, async () => {
    const stepPrompts: string[] = []
    const tipPrompts: string[] = []
    const base = recordingPolicy(stepPrompts)
    const policy: Policy = {
      ...base,
      generate: async (requests) => {
        tipPrompts.push(...requests.map((r) => r.prompt))
        return base.generate(requests, mkRng(0))
      }
    }
    await play(
      stepPrompts,
      withMemoryEval(
        'empo2',
        algo,
        { maxTipsShown: nonNegativeInt(1), tipHistoryWindow: nonNegativeInt(2) },
        2,
        { memory: withTwoEntries(algo) },
        sameEverywhere
      ),
      policy,
      sameEverywhere
    )
    assert.equal(tipPrompts.length, 1)
    const p = tipPrompts[0] as string
    // both steps retrieved the same first entry; each step's block follows its observation
    const first =
      algo.memory.entryText === 'tip'
        ? 'Try: the hall.'
        : 'Try: the hall.; At that timestep, the specific action your took was go to hall; Eventually you got the score 30.0/100.'
    const blocks = p.split(`<tips>\n- ${first}\n</tips>\nStep `).length - 1
    assert.equal(blocks, algo.memory.tipPromptShowsTips ? 2 : 0, p)
    assert.equal(p.includes('<tips>'), algo.memory.tipPromptShowsTips)
  })

// ---------------------------------------------------------------------------------------------
// acting by reweighting the policy's samples (memory-driven prior refinement, docs/method.md §11)
// ---------------------------------------------------------------------------------------------

/** Answers request `i` of a call with `texts[i mod n]`, log-prob −(1 + i mod n); counts the calls. */
const cyclingPolicy = (texts: ReadonlyArray<string>, calls: number[]): Policy => ({
  ...recordingPolicy([]),
  sample: async (requests) => {
    calls.push(requests.length)
    return requests.map((_, i) => ({
      text: texts[i % texts.length] as string,
      tokens: [i % texts.length],
      logProbs: [-(1 + (i % texts.length))],
      samplingLogProbs: [-(1 + (i % texts.length))],
      finished: true
    }))
  }
})

const mdsiRun = (mode: 'onPolicyWithTips' | 'onPolicyNoMemory', pairs: ReadonlyArray<unknown>) => {
  const m = runMethod(mainJobRun('mdsi', 'paper'), embed)
  return {
    m,
    settings: {
      algo: m.algo,
      agent: m.agent,
      temperature: 1,
      tipTemperature: 1,
      maxSteps: 3,
      modes: { _tag: 'Fixed', mode } as const,
      writesTips: false,
      writesMemory: true,
      learnsNovelty: false
    },
    state: freshState(m.trialMemory.restore({ pairs: { pairs } }))
  }
}

test('a reweighting memory samples its candidates per step, acts with one of the distinct ones and records their posterior; without memory the policy’s one sample is taken', async () => {
  const texts = ['look', 'go east', 'look', 'take key', 'open door']
  const calls: number[] = []
  const { m, settings, state } = mdsiRun('onPolicyWithTips', [])
  const k = m.algo.mdsi.candidates
  const out = await play([], { settings, state }, cyclingPolicy(texts, calls))
  const steps = out.episodes[0]?.steps ?? []
  assert.ok(steps.length > 0)
  assert.deepEqual(
    calls,
    steps.map(() => k)
  )
  for (const s of steps) {
    assert.deepEqual(
      s.candidates.map((c) => c.action),
      ['look', 'go east', 'take key', 'open door']
    )
    assert.ok(
      s.candidates.some((c) => c.action === s.action && c.actionTokens.join() === s.actionTokens.join())
    )
    // an empty memory gives every Q 0: the posterior is the policy renormalised over the candidates
    const p = [1, 2, 4, 5].map((j) => Math.exp(-j))
    const z = p.reduce((a, b) => a + b, 0)
    s.candidates.forEach((c, j) => assert.ok(Math.abs(c.weight - (p[j] ?? NaN) / z) < 1e-12))
  }
  const none: number[] = []
  const plain = await play([], mdsiRun('onPolicyNoMemory', []), cyclingPolicy(texts, none))
  assert.deepEqual(
    none,
    plain.episodes[0]?.steps.map(() => 1)
  )
  for (const s of plain.episodes[0]?.steps ?? []) {
    assert.equal(s.action, 'look')
    assert.deepEqual(s.candidates, [])
  }
})

test('the memory’s Q decides the draw: a pair with a far higher return is chosen at every step', async () => {
  const texts = ['look', 'take key']
  // the pair's action is the same and its state shares the task: a neighbour of every state here
  const { settings, state } = mdsiRun('onPolicyWithTips', [
    { state: 'collect\nanywhere', action: 'take key', q: 1000, visits: 1 }
  ])
  const out = await play([], { settings, state }, cyclingPolicy(texts, []))
  const steps = out.episodes[0]?.steps ?? []
  assert.ok(steps.length > 0)
  for (const s of steps) {
    assert.equal(s.action, 'take key')
    assert.ok((s.candidates.find((c) => c.action === 'take key')?.weight ?? 0) > 0.99)
  }
})
