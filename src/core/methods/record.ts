/**
 * A method as a value: the record a run builds from its config ({@link RunMethod}) and hands to the
 * rollouts, the trainer and the evaluation, which never ask which method runs. It says what the method
 * stores and how it retrieves and shows it (a {@link MemoryValue}), when it writes, how each step's mode
 * is chosen, and which rows it updates on. Methods are defined in this folder and registered in
 * registry.ts (docs/architecture.md).
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import type { Config } from '../../spec/config.ts'
import type { Mode } from '../../spec/data.ts'
import type { AgentConfig, RunConfig } from '../../spec/run.ts'
import { decodeOrThrow } from '../../spec/codec.ts'
import type { Embedder } from '../memory/embedding.ts'
import type { Context, Episode, MemoryMethod } from './algebra.ts'
import { modeProbabilities, type ModesConfig } from '../train/modes.ts'
import type { UpdateRowSpec } from '../train/train.ts'
import type { Trajectory } from '../train/trajectory.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A memory as a value: its store with the operations on it bound, so that whoever holds it never
 * needs to know what kind of memory it is.
 *
 * @since 0.1.0
 * @category model
 */
export interface MemoryValue {
  /** What one entry is called, plural (`tips`, `reflections`). */
  readonly unit: string
  /** How many entries are stored. */
  readonly size: number
  /** The texts retrieved for a decision in `ctx`, in retrieval order, each capped in length. */
  readonly shown: (ctx: Context) => ReadonlyArray<string>
  /** The memory after the write of a finished episode. */
  readonly write: (episode: Episode) => MemoryValue
  /** What a run directory stores of it (read back by {@link MemoryKind}'s `restore`). */
  readonly snapshot: Readonly<Record<string, unknown>>
  /** The most recent `n` entries as one line each, newest first (for `empo2 inspect`). */
  readonly recent: (n: number) => ReadonlyArray<string>
  /** How a step that consults the memory picks its action from the policy's samples. */
  readonly acting: Acting
}

/**
 * One action the policy proposed for a step, as a posterior sees it: its text and its sequence
 * log-probability under the policy (the sum of its per-token log-probs).
 *
 * @since 0.1.0
 * @category model
 */
export interface Candidate {
  readonly text: string
  readonly logProb: number
}

/**
 * How a step that consults the memory picks its action: the policy's one sample as it is (`Sample`),
 * or one of `candidates` samples drawn from the weights the memory gives them (`Reweight`;
 * docs/method.md §11). `weights` sees the distinct candidates (identical texts counted once, the
 * first kept) and returns a probability for each, in their order.
 *
 * @since 0.1.0
 * @category model
 */
export type Acting =
  | { readonly _tag: 'Sample' }
  | {
      readonly _tag: 'Reweight'
      readonly candidates: number
      readonly weights: (ctx: Context, candidates: ReadonlyArray<Candidate>) => ReadonlyArray<number>
    }

/**
 * A kind of memory: the empty memory, and how to read one back from a stored snapshot (throws,
 * naming the field, when the snapshot does not hold this kind).
 *
 * @since 0.1.0
 * @category model
 */
export interface MemoryKind {
  readonly empty: MemoryValue
  readonly restore: (snapshot: Readonly<Record<string, unknown>>) => MemoryValue
}

/**
 * How the modes of a batch of rollouts are chosen: one mode for every step (`Fixed`), or drawn per
 * step by the `perStep` rule (`PerStep`).
 *
 * @since 0.1.0
 * @category model
 */
export type ModeSource =
  { readonly _tag: 'Fixed'; readonly mode: Mode } | { readonly _tag: 'PerStep'; readonly modes: ModesConfig }

/**
 * What a run needs of its method: the algorithm config and the agent's budget as the method runs
 * them, the memory it trains with and the one evaluation's memory trials use, how a training
 * iteration's modes are chosen, whether a training episode ends with a written tip and whether it is
 * written to the memory (a memory may learn from episodes without tips), and the update
 * rows of a training batch (none: the method does not change parameters).
 *
 * @since 0.1.0
 * @category model
 */
export interface RunMethod {
  readonly algo: Config
  readonly agent: AgentConfig
  readonly memory: MemoryKind
  readonly trialMemory: MemoryKind
  readonly trainingModes: (iterationMode: Mode) => ModeSource
  readonly writesTips: boolean
  readonly writesMemory: boolean
  readonly updateRows: (
    episodes: ReadonlyArray<Trajectory>,
    advantages: ReadonlyArray<ReadonlyArray<number>>
  ) => ReadonlyArray<UpdateRowSpec>
}

/**
 * A method's definition: its config change, and the record it builds for a run (given the run with
 * the config already changed, and the embedder).
 *
 * @since 0.1.0
 * @category model
 */
export interface MethodDefinition {
  readonly configure: (c: Config) => Config
  readonly build: (run: RunConfig, embedder: Embedder) => Omit<RunMethod, 'algo'>
}

/**
 * A memory the generic way (docs/method.md §3, §9): a {@link MemoryMethod}, what a prompt shows of
 * its entries, what an entry is called, its store's size, the field of a memory snapshot that holds the store, the store's
 * codec and a line per entry for `inspect`.
 *
 * @since 0.1.0
 * @category model
 */
export interface StoredMemory<Entry, Store> {
  readonly method: MemoryMethod<Entry, Context, Store>
  readonly shown: (entries: ReadonlyArray<Entry>) => ReadonlyArray<string>
  readonly unit: string
  readonly size: (store: Store) => number
  readonly recent: (store: Store) => (n: number) => ReadonlyArray<string>
  readonly key: string
  readonly codec: t.Type<Store, unknown>
  /** How a step consulting this memory acts, given the store (absent: the policy's sample). */
  readonly acting?: (store: Store) => Acting
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Acting on the policy's one sample.
 *
 * @example
 * import { sampleActing } from './record.ts'
 * assert.equal(sampleActing._tag, 'Sample')
 *
 * @since 0.1.0
 * @category constructors
 */
export const sampleActing: Acting = { _tag: 'Sample' }

/**
 * A {@link MemoryValue} of a stored memory, holding `store`.
 *
 * @example
 * import { memoryValue } from './record.ts'
 * import { reflexion } from './algebra.ts'
 * import * as t from 'io-ts'
 * const m = { method: reflexion(2), shown: (rs: ReadonlyArray<string>) => rs, unit: 'reflections', size: (s: Readonly<Record<string, ReadonlyArray<string>>>) => Object.keys(s).length, recent: () => () => [], key: 'reflections', codec: t.record(t.string, t.readonlyArray(t.string)) }
 * const ep = { task: 't', variant: 0, note: 'open the door first', finalState: '', history: '', steps: [], score: 0, success: false }
 * const v = memoryValue(m)({}).write(ep)
 * assert.deepEqual(v.shown({ task: 't', variant: 1, state: '', history: '' }), ['open the door first'])
 * assert.deepEqual(v.snapshot, { reflections: { t: ['open the door first'] } })
 *
 * @since 0.1.0
 * @category constructors
 */
export const memoryValue =
  <Entry, Store>(m: StoredMemory<Entry, Store>) =>
  (store: Store): MemoryValue => ({
    unit: m.unit,
    size: m.size(store),
    shown: (ctx) => m.shown(m.method.retrieve(ctx)(store)),
    write: (episode) => memoryValue(m)(m.method.write(episode)(store)),
    snapshot: { [m.key]: m.codec.encode(store) },
    recent: m.recent(store),
    acting: m.acting === undefined ? sampleActing : m.acting(store)
  })

/**
 * The {@link MemoryKind} of a stored memory.
 *
 * @example
 * import { reflectionMemory } from './reflexion.ts'
 * import { defaultAgent } from '../../spec/run.ts'
 * const kind = reflectionMemory(3, defaultAgent)
 * const ep = { task: 't', variant: 0, note: 'try the hall', finalState: '', history: '', steps: [], score: 0, success: false }
 * const v = kind.empty.write(ep)
 * assert.deepEqual(kind.restore(v.snapshot).snapshot, v.snapshot)
 * assert.throws(() => kind.restore({ memory: {} }), /no "reflections" field/)
 *
 * @since 0.1.0
 * @category constructors
 */
export const memoryKind = <Entry, Store>(m: StoredMemory<Entry, Store>): MemoryKind => ({
  empty: memoryValue(m)(m.method.empty),
  restore: (snapshot) => {
    if (!Object.prototype.hasOwnProperty.call(snapshot, m.key))
      throw new Error(`memory snapshot: no "${m.key}" field (${m.method.name} keeps its store there)`)
    return memoryValue(m)(decodeOrThrow(m.codec, `memory snapshot field "${m.key}"`)(snapshot[m.key]))
  }
})

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The training modes of the config's rule: under `perIteration` the iteration's one draw for every
 * step, under `perStep` a draw per step.
 *
 * @example
 * import { drawnModes } from './record.ts'
 * import { officialPreset, paperPreset } from '../../spec/config.ts'
 * assert.deepEqual(drawnModes(officialPreset)('offPolicy'), { _tag: 'Fixed', mode: 'offPolicy' })
 * assert.equal(drawnModes(paperPreset)('offPolicy')._tag, 'PerStep')
 *
 * @since 0.1.0
 * @category combinators
 */
export const drawnModes =
  (algo: Config) =>
  (iterationMode: Mode): ModeSource =>
    algo.modes.rule === 'perIteration'
      ? { _tag: 'Fixed', mode: iterationMode }
      : { _tag: 'PerStep', modes: algo.modes }

/**
 * Whether training episodes end with a written tip when a later prompt can read it: when the config
 * gives memory rollouts a positive probability (docs/method.md §3). With `p = 0` the rollouts and
 * updates are the same either way (tips draw from their own stream), only slower.
 *
 * @example
 * import { tipsReadable } from './record.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * assert.equal(tipsReadable(paperPreset), true)
 * assert.equal(tipsReadable({ ...paperPreset, modes: { ...paperPreset.modes, memoryProb: 0 } }), false)
 *
 * @since 0.1.0
 * @category combinators
 */
export const tipsReadable = (algo: Config): boolean => {
  const p = modeProbabilities(algo.modes)
  return p.onPolicyWithTips + p.offPolicy > 0
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The distinct candidates of a step's samples, by text, each first occurrence kept (their indices
 * into `texts`, in order).
 *
 * @example
 * import { distinctCandidates } from './record.ts'
 * assert.deepEqual(distinctCandidates(['go north', 'take key', 'go north']), [0, 1])
 *
 * @since 0.1.0
 * @category destructors
 */
export const distinctCandidates = (texts: ReadonlyArray<string>): ReadonlyArray<number> =>
  texts.flatMap((x, i) => (texts.indexOf(x) === i ? [i] : []))

/**
 * The index drawn from probabilities `weights` by one uniform `u ∈ [0, 1)`: the first index whose
 * cumulative weight exceeds `u` (the last positive one when rounding leaves the sum below `u`).
 * Throws on an empty, negative or all-zero vector, naming it.
 *
 * @example
 * import { drawIndex } from './record.ts'
 * assert.equal(drawIndex([0.2, 0.5, 0.3], 0.1), 0)
 * assert.equal(drawIndex([0.2, 0.5, 0.3], 0.69), 1)
 * assert.equal(drawIndex([0.2, 0.5, 0.3], 0.7), 2)
 * assert.equal(drawIndex([0, 1, 0], 0.999), 1)
 *
 * @since 0.1.0
 * @category destructors
 */
export const drawIndex = (weights: ReadonlyArray<number>, u: number): number => {
  if (weights.length === 0 || weights.some((w) => !(w >= 0)) || !weights.some((w) => w > 0))
    throw new RangeError(
      `drawIndex: weights must be non-negative with one positive, got [${weights.join(', ')}]`
    )
  let acc = 0
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i] as number
    if (u < acc) return i
  }
  return weights.reduce((last, w, i) => (w > 0 ? i : last), 0)
}
