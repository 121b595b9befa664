/**
 * Rollouts: a batch of episodes played in lockstep, one environment per episode, one batched
 * `Policy.sample` per step. Every decision is a core function or a value passed in: the mode of each
 * step (`RolloutSettings.modes`), the texts the memory shows (`MemoryValue.shown`), the prompt
 * (src/core/agent/agent.ts), the intrinsic reward (src/core/memory/novelty.ts), and at the end the tip the policy
 * writes (`Policy.generate` on the tip prompt) and the memory after it (`MemoryValue.write`).
 */
import * as E from 'fp-ts/lib/Either.js'
import {
  isSuccess,
  type Environment,
  type EnvError,
  type ResetResult,
  type StepResult
} from '../../spec/env.ts'
import type { Config } from '../../spec/config.ts'
import { nonNegativeInt, seed } from '../../spec/brands.ts'
import type { AgentConfig } from '../../spec/run.ts'
import { showsTips, type Mode, type NoveltyMemory } from '../../spec/data.ts'
import { sequenceLogProb, type Policy, type Sampled } from '../../core/agent/policy.ts'
import { nextFloat, type Rng } from '../../core/rng.ts'
import { actingStream, samplingStream, stepModeStream, tipWritingStream } from '../../core/train/streams.ts'
import { drawStepMode } from '../../core/train/modes.ts'
import { render, type HistoryStep } from '../../core/agent/prompt.ts'
import { batchIntrinsicRewards } from '../../core/memory/novelty.ts'
import type { Episode } from '../../core/methods/algebra.ts'
import {
  distinctCandidates,
  drawIndex,
  sampleActing,
  type MemoryValue,
  type ModeSource
} from '../../core/methods/record.ts'
import type { Embedder } from '../../core/memory/embedding.ts'
import { historyText } from '../../core/train/train.ts'
import type { Step, Trajectory } from '../../core/train/trajectory.ts'
import { cleanTip, stepPrompt, tipPrompt } from '../../core/agent/agent.ts'

/** What persists across iterations: the method's memory and the novelty memory. */
export interface MemoryState {
  readonly memory: MemoryValue
  readonly novelty: NoveltyMemory
}

/** The state before any episode: `memory` empty, no state seen. */
export const freshState = (memory: MemoryValue): MemoryState => ({ memory, novelty: { states: [] } })

/** One episode to play. `seed` goes to the environment's reset (it orders admissible actions). */
export interface EpisodeSpec {
  readonly task: string
  readonly variant: number
  readonly group: number
  readonly seed: number
}

/**
 * How to play: the algorithm config and the agent's budget as the method runs them, the sampling
 * temperatures, the step limit, how each step's mode is chosen, whether each episode ends with a tip
 * written by the policy, whether it is then written to memory, and whether the novelty memory learns (training) or only scores (evaluation).
 */
export interface RolloutSettings {
  readonly algo: Config
  readonly agent: AgentConfig
  readonly temperature: number
  readonly tipTemperature: number
  readonly maxSteps: number
  readonly modes: ModeSource
  readonly writesTips: boolean
  readonly writesMemory: boolean
  readonly learnsNovelty: boolean
}

/** The dependencies of a rollout: the policy, one environment per episode slot, the embedder. */
export interface RolloutDeps {
  readonly policy: Policy
  readonly envs: ReadonlyArray<Environment>
  readonly embedder: Embedder
}

interface Live {
  readonly spec: EpisodeSpec
  readonly taskDescription: string
  observation: string
  admissible: ReadonlyArray<string>
  score: number
  done: boolean
  error: string | null
  readonly history: HistoryStep[]
  readonly steps: Step[]
}

const stepMode = (modes: ModeSource, rng: Rng): Mode =>
  modes._tag === 'Fixed' ? modes.mode : drawStepMode(modes.modes)(rng)[0]

/**
 * Play `specs` to the end (done, error, or `maxSteps`), in lockstep. Deterministic given `rng` (the
 * named streams of src/core/train/streams.ts: a step's mode, a step's sampling, the tips written).
 * Returns the finished episodes in `specs` order and the memory state after their writes (in `specs`
 * order, after all episodes ended).
 */
export const playEpisodes = async (
  deps: RolloutDeps,
  s: RolloutSettings,
  specs: ReadonlyArray<EpisodeSpec>,
  state: MemoryState,
  rng: Rng,
  onStep?: (activeEpisodes: number) => void
): Promise<{ readonly episodes: ReadonlyArray<Trajectory>; readonly state: MemoryState }> => {
  if (deps.envs.length < specs.length)
    throw new Error(`playEpisodes: ${specs.length} episodes but only ${deps.envs.length} environments`)
  const resets = await Promise.all(
    specs.map((sp, i) =>
      (deps.envs[i] as Environment).reset({
        task: sp.task,
        variant: nonNegativeInt(sp.variant),
        seed: seed(sp.seed)
      })
    )
  )
  const live: Live[] = specs.map((spec, i) => {
    const r = resets[i] as E.Either<EnvError, ResetResult>
    if (E.isLeft(r))
      throw new Error(`reset of ${spec.task} variant ${spec.variant} failed: ${r.left.message}`)
    return {
      spec,
      taskDescription: r.right.taskDescription,
      observation: r.right.observation,
      admissible: r.right.admissibleActions,
      score: r.right.score,
      done: false,
      error: null,
      history: [],
      steps: []
    }
  })
  let novelty = state.novelty
  for (let t = 0; t < s.maxSteps; t++) {
    const active = live.map((l, i) => [l, i] as const).filter(([l]) => !l.done)
    if (active.length === 0) break
    onStep?.(active.length)
    const plans = active.map(([l, i]) => {
      const mode = stepMode(s.modes, stepModeStream(rng, i, t))
      const history = historyText(
        l.history.map((h) => ({ observation: h.observation, action: h.action })),
        l.observation
      )
      const ctx = { task: l.spec.task, variant: l.spec.variant, state: l.observation, history }
      // the texts shown: each tip capped in length, a memory entry rendered by memory.entryText
      const tips = showsTips(mode) ? state.memory.shown(ctx) : []
      const prompt = stepPrompt(
        s.agent,
        s.algo.memory.tipPlacement
      )({
        task: l.taskDescription,
        history: l.history,
        observation: l.observation,
        tips
      })
      // a memory that reweights the policy's samples does so only where the memory is consulted
      const acting = showsTips(mode) ? state.memory.acting : sampleActing
      return { mode, tips, prompt, ctx, acting }
    })
    // one request per sample: `candidates` of them for a reweighting step, in episode order
    const counts = plans.map((p) => (p.acting._tag === 'Reweight' ? p.acting.candidates : 1))
    const samples = await deps.policy.sample(
      active.flatMap(([l], k) =>
        Array.from({ length: counts[k] as number }, () => ({
          prompt: render((plans[k] as (typeof plans)[number]).prompt),
          ...(l.admissible.length > 0 ? { admissible: l.admissible } : {}),
          maxTokens: s.algo.rollout.maxResponseTokens,
          temperature: s.temperature
        }))
      ),
      samplingStream(rng, t)
    )
    const sampled = active.map(([, i], k) => {
      const start = counts.slice(0, k).reduce((a, b) => a + b, 0)
      const own = samples.slice(start, start + (counts[k] as number))
      const plan = plans[k] as (typeof plans)[number]
      if (plan.acting._tag === 'Sample') return { out: own[0] as Sampled, candidates: [] }
      const distinct = distinctCandidates(own.map((x) => x.text)).map((j) => own[j] as Sampled)
      const weights = plan.acting.weights(
        plan.ctx,
        distinct.map((x) => ({ text: x.text, logProb: sequenceLogProb(x) }))
      )
      const [u] = nextFloat(actingStream(rng, i, t))
      return {
        out: distinct[drawIndex(weights, u)] as Sampled,
        candidates: distinct.map((x, j) => ({
          action: x.text,
          actionTokens: x.tokens,
          oldLogProbs: x.logProbs,
          weight: weights[j] as number
        }))
      }
    })
    const results: ReadonlyArray<StepResult> = await Promise.all(
      active.map(([, i], k) =>
        (deps.envs[i] as Environment).step((sampled[k] as (typeof sampled)[number]).out.text)
      )
    )
    // one novelty batch per step: the states the running episodes reached together; evaluation never
    // updates the novelty memory, so there every state is scored against it as it stood
    const [rInts, nextNovelty] = batchIntrinsicRewards(
      s.learnsNovelty ? s.algo.novelty : { ...s.algo.novelty, batchUpdate: 'afterBatch' }
    )(
      active.map((_, k) => ({
        state: deps.embedder((results[k] as StepResult).observation),
        retrievedCount: (plans[k] as (typeof plans)[number]).tips.length
      }))
    )(novelty)
    if (s.learnsNovelty) novelty = nextNovelty
    active.forEach(([l], k) => {
      const plan = plans[k] as (typeof plans)[number]
      const { out, candidates } = sampled[k] as (typeof sampled)[number]
      const res = results[k] as StepResult
      const rInt = rInts[k] as number
      l.steps.push({
        observation: l.observation,
        prompt: plan.prompt,
        tips: plan.tips,
        mode: plan.mode,
        action: out.text,
        actionTokens: out.tokens,
        oldLogProbs: out.logProbs,
        reward: res.reward,
        intrinsic: rInt,
        score: res.score,
        candidates
      })
      l.history.push({ observation: l.observation, tips: plan.tips, action: out.text })
      l.observation = res.observation
      l.admissible = res.admissibleActions
      l.score = res.score
      const err = res.info['error']
      if (typeof err === 'string') l.error = err
      l.done = res.done
    })
  }
  // tips: the policy writes one per episode (docs/method.md §3) when a later prompt can read it
  const tips = s.writesTips
    ? (
        await deps.policy.generate(
          live.map((l) => ({
            prompt: render(
              tipPrompt(
                s.agent,
                s.algo.memory
              )({
                task: l.taskDescription,
                history: l.history,
                finalObservation: l.observation
              })
            ),
            maxTokens: s.agent.tipMaxTokens,
            temperature: s.tipTemperature
          })),
          tipWritingStream(rng)
        )
      ).map((g) => cleanTip(s.agent)(g.text))
    : live.map(() => null)
  const episode = (l: Live, note: string | null): Episode => ({
    task: l.spec.task,
    variant: l.spec.variant,
    note,
    finalState: l.observation,
    history: historyText(l.history, l.observation),
    steps: l.steps.map((x) => ({ observation: x.observation, action: x.action, reward: x.reward })),
    score: l.score,
    success: isSuccess(l.score)
  })
  const memory = s.writesMemory
    ? live.reduce((m, l, i) => m.write(episode(l, tips[i] ?? null)), state.memory)
    : state.memory
  return {
    episodes: live.map((l, i) => ({
      task: l.spec.task,
      variant: l.spec.variant,
      group: l.spec.group,
      steps: l.steps,
      finalObservation: l.observation,
      score: l.score,
      tip: tips[i] ?? null,
      error: l.error
    })),
    state: { memory, novelty }
  }
}
