/**
 * EMPO² (docs/method.md §3–§7) and every method that trains like it under a change of config: GRPO
 * (Eq. 1, no memory), GRPO with the novelty bonus, and the three ablations.
 *
 * @since 0.1.0
 */
import type { Config } from '../../spec/config.ts'
import { nonNegative, probability } from '../../spec/brands.ts'
import { Memory, type MemoryEntry } from '../../spec/data.ts'
import type { AgentConfig } from '../../spec/run.ts'
import { tipTexts } from '../agent/agent.ts'
import type { Embedder } from '../memory/embedding.ts'
import { updateRows } from '../train/train.ts'
import { empo2 } from './algebra.ts'
import { drawnModes, memoryKind, tipsReadable, type MemoryKind, type MethodDefinition } from './record.ts'

/**
 * EMPO²'s tip memory (docs/method.md §3) under the run's memory config: what a prompt shows is each
 * retrieved entry's text (`memory.entryText`) with its tip capped at `agent.maxTipChars`.
 *
 * @example
 * import { tipMemory } from './empo2.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * import { defaultAgent } from '../../spec/run.ts'
 * import { embed } from '../memory/embedding.ts'
 * const kind = tipMemory(paperPreset, defaultAgent, embed)
 * const ep = { task: 'bulb', variant: 0, note: 'the bulb is in the hall', finalState: 'a kitchen', history: 'a kitchen', steps: [{ observation: 'a kitchen', action: 'look', reward: 0 }], score: 0, success: false }
 * const v = kind.empty.write(ep)
 * assert.equal(v.size, 1)
 * assert.deepEqual(v.shown({ task: 'bulb', variant: 1, state: 'a kitchen', history: 'a kitchen' }), ['the bulb is in the hall'])
 *
 * @since 0.1.0
 * @category constructors
 */
export const tipMemory = (algo: Config, agent: AgentConfig, embedder: Embedder): MemoryKind =>
  memoryKind<MemoryEntry, Memory>({
    method: empo2(algo.memory, embedder),
    shown: tipTexts(agent, algo.memory),
    unit: 'tips',
    size: (m) => m.entries.length,
    recent: (m) => (n) =>
      [...m.entries]
        .sort((a, b) => b.seq - a.seq)
        .slice(0, n)
        .map((e) => `[${e.seq}] (${e.partition}, score ${e.score}) ${e.tip}`),
    key: 'memory',
    codec: Memory
  })

/**
 * EMPO² and every method that trains like it under a config change (GRPO, the ablations): the tip
 * memory, modes drawn by the config's rule, tips written when a later prompt can read them, one
 * update row per step (off-policy rows with their tips removed).
 *
 * @since 0.1.0
 * @category instances
 */
export const empo2Like = (configure: (c: Config) => Config): MethodDefinition => ({
  configure,
  build: (run, embedder) => {
    const memory = tipMemory(run.algo, run.agent, embedder)
    return {
      agent: run.agent,
      memory,
      trialMemory: memory,
      trainingModes: drawnModes(run.algo),
      writesTips: tipsReadable(run.algo),
      writesMemory: tipsReadable(run.algo),
      updateRows
    }
  }
})

const noMemory = (c: Config): Config => ({
  ...c,
  modes: {
    ...c.modes,
    memoryProb: probability(0),
    offPolicyBelow: probability(0),
    withTipsBelow: probability(0)
  },
  mask: { ...c.mask, enabled: false }
})

const noIntrinsic = (c: Config): Config => ({ ...c, novelty: { ...c.novelty, coef: nonNegative(0) } })

/**
 * EMPO² as configured.
 *
 * @since 0.1.0
 * @category instances
 */
export const empo2Method: MethodDefinition = empo2Like((c) => c)

/**
 * GRPO (docs/method.md §2): no memory rollouts (`p = 0`, both per-iteration thresholds 0), no
 * low-probability mask (Eq. 1 has none; with the paper preset's scope `all` it would otherwise mask
 * on-policy rows) and no intrinsic reward.
 *
 * @since 0.1.0
 * @category instances
 */
export const grpoMethod: MethodDefinition = empo2Like((c) => noIntrinsic(noMemory(c)))

/**
 * GRPO with EMPO²'s state-novelty reward as configured: EMPO² without memory.
 *
 * @since 0.1.0
 * @category instances
 */
export const grpoNoveltyMethod: MethodDefinition = empo2Like(noMemory)

/**
 * EMPO² without off-policy updates: `q = 0` (and `offPolicyBelow = 0`).
 *
 * @since 0.1.0
 * @category instances
 */
export const noOffPolicyMethod: MethodDefinition = empo2Like((c) => ({
  ...c,
  modes: { ...c.modes, offPolicyProb: probability(0), offPolicyBelow: probability(0) }
}))

/**
 * EMPO² with the low-probability mask switched off.
 *
 * @since 0.1.0
 * @category instances
 */
export const noMaskMethod: MethodDefinition = empo2Like((c) => ({
  ...c,
  mask: { ...c.mask, enabled: false }
}))

/**
 * EMPO² with the intrinsic-reward coefficient set to 0.
 *
 * @since 0.1.0
 * @category instances
 */
export const noIntrinsicMethod: MethodDefinition = empo2Like(noIntrinsic)
