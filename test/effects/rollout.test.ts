/**
 * Rollouts with a stub policy that records its prompts: what a step's prompt shows from memory.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { paperPreset } from '../../src/spec/config.ts'
import { defaultAgent } from '../../src/spec/run.ts'
import type { Policy, Sampled } from '../../src/core/policy.ts'
import { embed } from '../../src/core/embedding.ts'
import { mkRng } from '../../src/core/rng.ts'
import { embeddedSuite } from '../../src/effects/env/inProcess.ts'
import { emptyMemoryState, playEpisodes } from '../../src/effects/train/rollout.ts'

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

for (const shown of [1, 2, 3, 4]) {
  test(`Reflexion shows its last 3 reflections whatever the tip cap (maxTipsShown ${shown})`, async () => {
    const prompts: string[] = []
    const reflections = ['r1', 'r2', 'r3', 'r4', 'r5'].map((r) => `reflection ${r}.`)
    await playEpisodes(
      { policy: recordingPolicy(prompts), envs: [embeddedSuite()], embedder: embed },
      {
        method: 'reflexion',
        algo: paperPreset,
        agent: { ...defaultAgent, maxTipsShown: shown as never },
        temperature: 1,
        purpose: 'eval',
        withMemory: true,
        iterationMode: null,
        tipTemperature: 1,
        maxSteps: 1
      },
      [{ task: 'collect', variant: 0, group: 0, seed: 0 }],
      { ...emptyMemoryState, reflections: { collect: reflections } },
      mkRng(0)
    )
    assert.equal(prompts.length, 1)
    const expected = reflections.slice(-3)
    for (const r of reflections)
      assert.equal(prompts[0]?.includes(r), expected.includes(r), `${r} in the prompt:\n${prompts[0]}`)
  })
}
