/**
 * Memory-driven prior refinement (docs/method.md §11): a memory of (state, action) pairs with the
 * returns that followed them. A step that consults it samples several candidate actions from the
 * policy and acts with the posterior `q(a|s) ∝ p(a|s) · exp(Q(s, a)/α)` over them, Q of a pair not
 * stored being estimated from its nearest stored neighbours (the E-step); the update then fits the
 * policy to that posterior by a q-weighted log-likelihood of the candidates (the M-step). Acting and
 * fitting alternate, one round per training iteration.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import type { MdsiCombine, MdsiUpdateWeight, MdsiWeighting } from '../../spec/config.ts'
import { nonNegative } from '../../spec/brands.ts'
import { strict } from '../../spec/codec.ts'
import { cosine, memoEmbedder, type Embedder } from '../memory/embedding.ts'
import { scoreText } from '../memory/memory.ts'
import type { UpdateRowSpec } from '../train/train.ts'
import type { Trajectory } from '../train/trajectory.ts'
import { nStepTargets, weightedLikelihood, type Context, type Episode, type MemoryMethod } from './algebra.ts'
import { memoryKind, type Acting, type MemoryKind, type MethodDefinition } from './record.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * One stored pair: the state (task name and observation, {@link stateText}), the action taken there,
 * its Q (the returns that followed it, combined by `mdsi.combine`) and how many returns it has seen.
 *
 * @since 0.1.0
 * @category model
 */
export const MdsiPair = strict(
  { state: t.string, action: t.string, q: t.number, visits: t.number },
  'MdsiPair'
)
/** @since 0.1.0 @category model */
export type MdsiPair = t.TypeOf<typeof MdsiPair>

/**
 * The memory: its pairs, oldest first (a pair keeps its place when its Q changes).
 *
 * @since 0.1.0
 * @category model
 */
export const MdsiStore = strict({ pairs: t.readonlyArray(MdsiPair) }, 'MdsiStore')
/** @since 0.1.0 @category model */
export type MdsiStore = t.TypeOf<typeof MdsiStore>

/**
 * The settings the memory's functions read: the fields of the config's `mdsi` section
 * (docs/config.md).
 *
 * @since 0.1.0
 * @category model
 */
export interface MdsiSettings {
  readonly capacity: number
  readonly gamma: number
  readonly combine: MdsiCombine
  readonly neighbours: number
  readonly minSimilarity: number
  readonly weighting: MdsiWeighting
  readonly stateWeight: number
  readonly candidates: number
  readonly alpha: number
  readonly updateWeight: MdsiUpdateWeight
}

/**
 * What a similarity compares: a state's text and an action.
 *
 * @since 0.1.0
 * @category model
 */
export interface MdsiKey {
  readonly state: string
  readonly action: string
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The empty memory.
 *
 * @example
 * import { emptyMdsiStore } from './mdsi.ts'
 * assert.deepEqual(emptyMdsiStore.pairs, [])
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyMdsiStore: MdsiStore = { pairs: [] }

/**
 * The text of a state: the task name and the observation, on two lines.
 *
 * @example
 * import { stateText } from './mdsi.ts'
 * assert.equal(stateText('collect', 'a hall'), 'collect\na hall')
 *
 * @since 0.1.0
 * @category constructors
 */
export const stateText = (task: string, observation: string): string => `${task}\n${observation}`

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * A stored pair's Q and visits after one more return `g` (`mdsi.combine`): `mean` is the running
 * mean `Q + (g − Q)/N` with `N` the visits after this one, `max` keeps the larger, `overwrite` takes
 * `g`. A pair's first return is its Q under every rule.
 *
 * @example
 * import { combineReturn } from './mdsi.ts'
 * const p = { q: 10, visits: 1 }
 * assert.deepEqual(combineReturn('mean')(30)(p), { q: 20, visits: 2 })
 * assert.deepEqual(combineReturn('max')(5)(p), { q: 10, visits: 2 })
 * assert.deepEqual(combineReturn('overwrite')(5)(p), { q: 5, visits: 2 })
 * assert.deepEqual(combineReturn('max')(-3)({ q: 0, visits: 0 }), { q: -3, visits: 1 })
 *
 * @since 0.1.0
 * @category combinators
 */
export const combineReturn =
  (rule: MdsiCombine) =>
  (g: number) =>
  (p: { readonly q: number; readonly visits: number }): { readonly q: number; readonly visits: number } => {
    const visits = p.visits + 1
    if (p.visits === 0) return { q: g, visits }
    switch (rule) {
      case 'mean':
        return { q: p.q + (g - p.q) / visits, visits }
      case 'max':
        return { q: Math.max(p.q, g), visits }
      case 'overwrite':
        return { q: g, visits }
    }
  }

/**
 * The memory after a finished episode: each step's Monte-Carlo return-to-go `G_t = Σ γ^i r_{t+i}`
 * joins its (state, action) pair by {@link combineReturn}, in step order; a pair not stored is
 * appended, and beyond `capacity` the oldest pair leaves.
 *
 * @example
 * import { writeEpisode, emptyMdsiStore } from './mdsi.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * const s = { ...paperPreset.mdsi, gamma: 0.5 }
 * const ep = { task: 'collect', variant: 0, note: null, finalState: '', history: '', score: 40, success: false,
 *   steps: [{ observation: 'a hall', action: 'go east', reward: 0 }, { observation: 'a kitchen', action: 'take key', reward: 40 }] }
 * const m = writeEpisode(s)(ep)(emptyMdsiStore)
 * assert.deepEqual(m.pairs.map((p) => [p.action, p.q, p.visits]), [['go east', 20, 1], ['take key', 40, 1]])
 * assert.deepEqual(writeEpisode(s)(ep)(m).pairs.map((p) => p.visits), [2, 2])
 * assert.equal(writeEpisode({ ...s, capacity: 1 })(ep)(emptyMdsiStore).pairs[0]?.action, 'take key')
 *
 * @since 0.1.0
 * @category combinators
 */
export const writeEpisode =
  (s: MdsiSettings) =>
  (episode: Episode) =>
  (store: MdsiStore): MdsiStore => {
    const rewards = episode.steps.map((x) => x.reward)
    const returns = nStepTargets({ gamma: s.gamma, n: null })(
      rewards,
      rewards.map(() => 0)
    )
    return episode.steps.reduce<MdsiStore>((m, step, t) => {
      const state = stateText(episode.task, step.observation)
      const g = returns[t] as number
      const at = m.pairs.findIndex((p) => p.state === state && p.action === step.action)
      if (at >= 0)
        return {
          pairs: m.pairs.map((p, i) => (i === at ? { ...p, ...combineReturn(s.combine)(g)(p) } : p))
        }
      const pairs = [...m.pairs, { state, action: step.action, q: g, visits: 1 }]
      return { pairs: pairs.slice(Math.max(0, pairs.length - s.capacity)) }
    }, store)
  }

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The Q estimates of `actions` in `state`: a stored pair's own Q; otherwise the `neighbours` most
 * similar stored pairs (similarity `w · cos(states) + (1 − w) · cos(actions)`, `w = stateWeight`)
 * at least `minSimilarity` similar (ties: the older), averaged by `weighting` (by similarity, or
 * equally when `uniform` or when every weight is 0); 0 with no neighbour.
 *
 * @example
 * import { qEstimates, stateText } from './mdsi.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * import { embed } from '../memory/embedding.ts'
 * const store = { pairs: [{ state: stateText('collect', 'a hall'), action: 'go east', q: 30, visits: 1 }] }
 * const q = qEstimates(paperPreset.mdsi, embed)(store)(stateText('collect', 'a hall'), ['go east', 'go west', 'xyzzy'])
 * assert.equal(q[0], 30)
 * assert.ok(Math.abs((q[1] as number) - 30) < 1e-9) // its one neighbour: the same state, a similar action
 * assert.equal(q[2], 0) // no neighbour: 0.5 · 1 + 0.5 · 0 is below minSimilarity 0.6
 *
 * @since 0.1.0
 * @category destructors
 */
export const qEstimates =
  (s: MdsiSettings, embedder: Embedder) =>
  (store: MdsiStore) =>
  (state: string, actions: ReadonlyArray<string>): ReadonlyArray<number> => {
    const here = embedder(state)
    const stateSims = store.pairs.map((p) => cosine(embedder(p.state), here))
    return actions.map((action) => {
      const own = store.pairs.find((p) => p.state === state && p.action === action)
      if (own !== undefined) return own.q
      const a = embedder(action)
      const near = store.pairs
        .map((p, index) => ({
          index,
          q: p.q,
          sim:
            s.stateWeight * (stateSims[index] as number) + (1 - s.stateWeight) * cosine(embedder(p.action), a)
        }))
        .filter((n) => n.sim >= s.minSimilarity)
        .sort((x, y) => y.sim - x.sim || x.index - y.index)
        .slice(0, s.neighbours)
      if (near.length === 0) return 0
      const total = near.reduce((acc, n) => acc + n.sim, 0)
      return s.weighting === 'uniform' || total === 0
        ? near.reduce((acc, n) => acc + n.q, 0) / near.length
        : near.reduce((acc, n) => acc + n.sim * n.q, 0) / total
    })
  }

/**
 * The posterior over candidates: `q_j ∝ exp(log p_j + Q_j/α)`, normalised (computed with the largest
 * exponent subtracted, so no term overflows).
 *
 * @example
 * import { posterior } from './mdsi.ts'
 * assert.deepEqual(posterior(10)([Math.log(0.5), Math.log(0.5)], [0, 0]), [0.5, 0.5])
 * const [a, b] = posterior(10)([Math.log(0.5), Math.log(0.5)], [10, 0])
 * assert.ok(Math.abs((a as number) / (b as number) - Math.E) < 1e-12)
 * assert.deepEqual(posterior(1)([-1000, -1000], [0, 0]), [0.5, 0.5])
 *
 * @since 0.1.0
 * @category destructors
 */
export const posterior =
  (alpha: number) =>
  (logProbs: ReadonlyArray<number>, qs: ReadonlyArray<number>): ReadonlyArray<number> => {
    if (logProbs.length !== qs.length)
      throw new RangeError(`posterior: ${logProbs.length} log-probs but ${qs.length} Q values`)
    const z = logProbs.map((lp, j) => lp + (qs[j] as number) / alpha)
    const top = Math.max(...z)
    const e = z.map((x) => Math.exp(x - top))
    const sum = e.reduce((a, b) => a + b, 0)
    return e.map((x) => x / sum)
  }

/**
 * The prior-refinement rows of a training batch: one per distinct candidate of every step that acted
 * by the posterior, under the prompt it was sampled with, its advantage the candidate's posterior
 * probability `q` (`posterior`: the update's loss is then `−Σ q · log π(a|s)` at ratio 1) or
 * `q − 1/n` for the step's `n` candidates (`centred`). Steps that took the policy's one sample give
 * no row; the group advantages are not read.
 *
 * @example
 * import { refinementRows } from './mdsi.ts'
 * const c = (action: string, weight: number) => ({ action, actionTokens: [1], oldLogProbs: [-1], weight })
 * const step = { observation: 'o', prompt: [], tips: [], mode: 'onPolicyWithTips' as const, action: 'a', actionTokens: [1], oldLogProbs: [-1], reward: 0, intrinsic: 0, score: 0, candidates: [c('a', 0.75), c('b', 0.25)] }
 * const ep = { task: 't', variant: 0, group: 0, steps: [step, { ...step, candidates: [] }], finalObservation: '', score: 0, tip: null, error: null }
 * assert.deepEqual(refinementRows('posterior')([ep]).map((r) => r.advantage), [0.75, 0.25])
 * assert.deepEqual(refinementRows('centred')([ep]).map((r) => r.advantage), [0.25, -0.25])
 *
 * @since 0.1.0
 * @category destructors
 */
export const refinementRows =
  (weight: MdsiUpdateWeight) =>
  (episodes: ReadonlyArray<Trajectory>): ReadonlyArray<UpdateRowSpec> =>
    episodes.flatMap((e) =>
      e.steps.flatMap((step) =>
        step.candidates.map((c) => ({
          rolloutPrompt: step.prompt,
          updatePrompt: step.prompt,
          actionTokens: c.actionTokens,
          oldLogProbs: c.oldLogProbs,
          advantage: weight === 'posterior' ? c.weight : c.weight - 1 / step.candidates.length,
          mode: step.mode
        }))
      )
    )

// -------------------------------------------------------------------------------------
// instances
// -------------------------------------------------------------------------------------

/**
 * The acting of a memory holding `store`: sample `mdsi.candidates` actions and draw one from
 * {@link posterior} with `Q` from {@link qEstimates} in the decision's state.
 *
 * @example
 * import { posteriorActing, emptyMdsiStore } from './mdsi.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * import { embed } from '../memory/embedding.ts'
 * const a = posteriorActing(paperPreset.mdsi, embed)(emptyMdsiStore)
 * assert.equal(a._tag === 'Reweight' && a.candidates, 5)
 * const w = a._tag === 'Reweight' ? a.weights({ task: 't', variant: 0, state: 'o', history: '' }, [{ text: 'x', logProb: Math.log(0.2) }, { text: 'y', logProb: Math.log(0.6) }]) : []
 * assert.ok(Math.abs((w[0] as number) - 0.25) < 1e-12)
 *
 * @since 0.1.0
 * @category instances
 */
export const posteriorActing =
  (s: MdsiSettings, embedder: Embedder) =>
  (store: MdsiStore): Acting => ({
    _tag: 'Reweight',
    candidates: s.candidates,
    weights: (ctx: Context, candidates) =>
      posterior(s.alpha)(
        candidates.map((c) => c.logProb),
        qEstimates(s, embedder)(store)(
          stateText(ctx.task, ctx.state),
          candidates.map((c) => c.text)
        )
      )
  })

/**
 * The method's memory as a memory method: the write rule {@link writeEpisode}; nothing retrieved
 * into the prompt (the memory acts through {@link posteriorActing}); a weighted-likelihood update.
 *
 * @example
 * import { mdsi } from './mdsi.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * const m = mdsi(paperPreset.mdsi)
 * assert.deepEqual(m.retrieve({ task: 't', variant: 0, state: 'o', history: '' })(m.empty), [])
 * assert.equal(m.update._tag, 'WeightedLikelihood')
 *
 * @since 0.1.0
 * @category instances
 */
export const mdsi = (s: MdsiSettings): MemoryMethod<MdsiPair, Context, MdsiStore> => ({
  name: `memory-driven prior refinement (${s.candidates} candidates, α ${s.alpha})`,
  empty: emptyMdsiStore,
  write: writeEpisode(s),
  retrieve: () => () => [],
  render: () => '',
  update: weightedLikelihood(s.updateWeight)
})

/**
 * The method's memory (docs/method.md §11): it shows no text; it acts by the posterior; `inspect`
 * prints the newest pairs with their Q.
 *
 * @example
 * import { mdsiMemory } from './mdsi.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * import { embed } from '../memory/embedding.ts'
 * const kind = mdsiMemory(paperPreset.mdsi, embed)
 * const ep = { task: 'collect', variant: 0, note: null, finalState: '', history: '', score: 10, success: false, steps: [{ observation: 'a hall', action: 'look', reward: 10 }] }
 * const v = kind.empty.write(ep)
 * assert.deepEqual(v.recent(1), ['collect: a hall → look (Q 10.0, 1 visits)'])
 * assert.equal(v.acting._tag, 'Reweight')
 * assert.deepEqual(kind.restore(JSON.parse(JSON.stringify(v.snapshot))).snapshot, v.snapshot)
 *
 * @since 0.1.0
 * @category constructors
 */
export const mdsiMemory = (s: MdsiSettings, embedder: Embedder): MemoryKind =>
  memoryKind<MdsiPair, MdsiStore>({
    method: mdsi(s),
    shown: () => [],
    unit: 'pairs',
    size: (store) => store.pairs.length,
    recent: (store) => (n) =>
      store.pairs
        .slice(Math.max(0, store.pairs.length - n))
        .reverse()
        .map((p) => `${p.state.replace('\n', ': ')} → ${p.action} (Q ${scoreText(p.q)}, ${p.visits} visits)`),
    key: 'pairs',
    codec: MdsiStore,
    acting: posteriorActing(s, embedder)
  })

/**
 * Memory-driven prior refinement (docs/method.md §11): every training step consults the memory
 * (acting by the posterior over `mdsi.candidates` samples), every episode is written to it, and the
 * update fits the policy to the posterior ({@link refinementRows}). The low-probability mask and the
 * intrinsic reward are off: they belong to EMPO²'s update, not to a weighted likelihood.
 *
 * @since 0.1.0
 * @category instances
 */
export const mdsiMethod: MethodDefinition = {
  configure: (c) => ({
    ...c,
    mask: { ...c.mask, enabled: false },
    novelty: { ...c.novelty, coef: nonNegative(0) }
  }),
  build: (run, embedder) => {
    const memory = mdsiMemory(run.algo.mdsi, memoEmbedder(embedder))
    return {
      agent: run.agent,
      memory,
      trialMemory: memory,
      trainingModes: () => ({ _tag: 'Fixed', mode: 'onPolicyWithTips' }),
      writesTips: false,
      writesMemory: true,
      updateRows: (episodes) => refinementRows(run.algo.mdsi.updateWeight)(episodes)
    }
  }
}
