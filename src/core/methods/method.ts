/**
 * A method as a value. A run builds one {@link RunMethod} from its config ({@link runMethod}) and
 * hands it to the rollouts, the trainer and the evaluation, which never ask which method runs: the
 * record says what the method stores, how it retrieves and shows it, when it writes, how each step's
 * mode is chosen, and which rows it updates on. A new method is one module that builds a
 * {@link MethodDefinition} plus one line in {@link methods} (docs/architecture.md).
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import type { Config } from '../../spec/config.ts'
import { Memory, type MemoryEntry, type Mode } from '../../spec/data.ts'
import type { AgentConfig, Method, RunConfig } from '../../spec/run.ts'
import type { NonNegativeInt } from '../../spec/brands.ts'
import { decodeOrThrow } from '../../spec/codec.ts'
import { capTip, tipTexts } from '../agent/agent.ts'
import type { Embedder } from '../memory/embedding.ts'
import {
  empo2,
  reflexion,
  type Context,
  type Episode,
  type MemoryMethod,
  type ReflexionStore
} from './methods.ts'
import { modeProbabilities, type ModesConfig } from '../train/modes.ts'
import { updateRows, type UpdateRowSpec } from '../train/train.ts'
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
 * iteration's modes are chosen, whether a training episode ends with a written tip, and the update
 * rows of a training batch (none: the method does not change parameters).
 *
 * @since 0.1.0
 * @category model
 */
export interface RunMethod {
  readonly name: Method
  readonly algo: Config
  readonly agent: AgentConfig
  readonly memory: MemoryKind
  readonly trialMemory: MemoryKind
  readonly trainingModes: (iterationMode: Mode) => ModeSource
  readonly writesTips: boolean
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
  readonly build: (run: RunConfig, embedder: Embedder) => Omit<RunMethod, 'name' | 'algo'>
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
  readonly codec: t.Type<Store, unknown, unknown>
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A {@link MemoryValue} of a stored memory, holding `store`.
 *
 * @example
 * import { memoryValue } from './method.ts'
 * import { reflexion } from './methods.ts'
 * import * as t from 'io-ts'
 * const m = { method: reflexion(2), shown: (rs: ReadonlyArray<string>) => rs, unit: 'reflections', size: (s: Readonly<Record<string, ReadonlyArray<string>>>) => Object.keys(s).length, recent: () => () => [], key: 'reflections', codec: t.record(t.string, t.readonlyArray(t.string)) }
 * const ep = { task: 't', variant: 0, note: 'open the door first', finalState: '', history: '', actions: [], score: 0, success: false }
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
    recent: m.recent(store)
  })

/**
 * The {@link MemoryKind} of a stored memory.
 *
 * @example
 * import { reflectionMemory } from './method.ts'
 * import { defaultAgent } from '../../spec/run.ts'
 * const kind = reflectionMemory(3, defaultAgent)
 * const ep = { task: 't', variant: 0, note: 'try the hall', finalState: '', history: '', actions: [], score: 0, success: false }
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

/**
 * EMPO²'s tip memory (docs/method.md §3) under the run's memory config: what a prompt shows is each
 * retrieved entry's text (`memory.entryText`) with its tip capped at `agent.maxTipChars`.
 *
 * @example
 * import { tipMemory } from './method.ts'
 * import { paperPreset } from '../../spec/config.ts'
 * import { defaultAgent } from '../../spec/run.ts'
 * import { embed } from '../memory/embedding.ts'
 * const kind = tipMemory(paperPreset, defaultAgent, embed)
 * const ep = { task: 'bulb', variant: 0, note: 'the bulb is in the hall', finalState: 'a kitchen', history: 'a kitchen', actions: ['look'], score: 0, success: false }
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

const ReflexionStoreC: t.Type<ReflexionStore, unknown, unknown> = t.record(
  t.string,
  t.readonlyArray(t.string)
)

/**
 * Reflexion's memory (docs/method.md §9): the last `window` reflections of the task, each capped at
 * `agent.maxTipChars`.
 *
 * @example
 * import { reflectionMemory } from './method.ts'
 * import { defaultAgent } from '../../spec/run.ts'
 * const ep = (note: string) => ({ task: 't', variant: 0, note, finalState: '', history: '', actions: [], score: 0, success: false })
 * const v = ['a', 'b', 'c', 'd'].reduce((m, n) => m.write(ep(n)), reflectionMemory(3, defaultAgent).empty)
 * assert.deepEqual(v.shown({ task: 't', variant: 0, state: '', history: '' }), ['b', 'c', 'd'])
 * assert.equal(v.size, 4)
 *
 * @since 0.1.0
 * @category constructors
 */
export const reflectionMemory = (window: number, agent: AgentConfig): MemoryKind =>
  memoryKind<string, ReflexionStore>({
    method: reflexion(window),
    shown: (rs) => rs.map(capTip(agent.maxTipChars)),
    unit: 'reflections',
    size: (s) => Object.values(s).reduce((n, xs) => n + xs.length, 0),
    recent: (s) => (n) =>
      Object.entries(s)
        .flatMap(([task, xs]) => xs.map((x) => `${task}: ${x}`))
        .slice(-n)
        .reverse(),
    key: 'reflections',
    codec: ReflexionStoreC
  })

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * The training modes of the config's rule: under `perIteration` the iteration's one draw for every
 * step, under `perStep` a draw per step.
 *
 * @example
 * import { drawnModes } from './method.ts'
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
 * import { tipsReadable } from './method.ts'
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
// instances
// -------------------------------------------------------------------------------------

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
      updateRows
    }
  }
})

/**
 * Reflexion shows the last 3 reflections of a task (docs/method.md §9), whatever `agent.maxTipsShown`
 * (the cap on EMPO²'s retrieved tips) says.
 *
 * @since 0.1.0
 * @category instances
 */
export const reflexionWindow = 3

/**
 * Reflexion (docs/method.md §9): its reflections in every prompt (the last {@link reflexionWindow}
 * of the task), a reflection written after every episode (kept after a failure), no update.
 *
 * @since 0.1.0
 * @category instances
 */
export const reflexionMethod: MethodDefinition = {
  configure: (c) => c,
  build: (run) => {
    const agent = { ...run.agent, maxTipsShown: reflexionWindow as NonNegativeInt }
    const memory = reflectionMemory(reflexionWindow, agent)
    return {
      agent,
      memory,
      trialMemory: memory,
      trainingModes: () => ({ _tag: 'Fixed', mode: 'onPolicyWithTips' }),
      writesTips: true,
      updateRows: () => []
    }
  }
}

const noMemory = (c: Config): Config => ({
  ...c,
  modes: { ...c.modes, memoryProb: 0 as never, offPolicyBelow: 0 as never, withTipsBelow: 0 as never },
  mask: { ...c.mask, enabled: false }
})

const noIntrinsic = (c: Config): Config => ({ ...c, novelty: { ...c.novelty, coef: 0 as never } })

/**
 * Every method a run can name (`Method`, src/spec/run.ts), and its definition: `grpo-novelty` sets
 * `p = 0` (and both per-iteration thresholds to 0) and disables the low-probability mask (GRPO's
 * Eq. 1 has none; with the paper preset's scope `all` it would otherwise mask on-policy rows), `grpo`
 * does that and sets the intrinsic coefficient to 0, `empo2-no-offpolicy` sets `q = 0` (and
 * `offPolicyBelow = 0`), `empo2-no-mask` disables the mask, `empo2-no-intrinsic` sets the intrinsic
 * coefficient to 0; `empo2` runs the config as it is; `reflexion` is {@link reflexionMethod}.
 *
 * @since 0.1.0
 * @category instances
 */
export const methods: { readonly [M in Method]: MethodDefinition } = {
  empo2: empo2Like((c) => c),
  grpo: empo2Like((c) => noIntrinsic(noMemory(c))),
  'grpo-novelty': empo2Like(noMemory),
  'empo2-no-offpolicy': empo2Like((c) => ({
    ...c,
    modes: { ...c.modes, offPolicyProb: 0 as never, offPolicyBelow: 0 as never }
  })),
  'empo2-no-mask': empo2Like((c) => ({ ...c, mask: { ...c.mask, enabled: false } })),
  'empo2-no-intrinsic': empo2Like(noIntrinsic),
  reflexion: reflexionMethod
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * The algorithm config a method runs under (its definition's `configure`).
 *
 * @example
 * import { applyMethod } from './method.ts'
 * import { paperPreset, officialPreset } from '../../spec/config.ts'
 * import { modeProbabilities } from '../train/modes.ts'
 * assert.equal(modeProbabilities(applyMethod('grpo')(paperPreset).modes).onPolicyNoMemory, 1)
 * assert.equal(modeProbabilities(applyMethod('grpo')(officialPreset).modes).onPolicyNoMemory, 1)
 * assert.equal(applyMethod('grpo')(paperPreset).mask.enabled, false)
 * assert.equal(applyMethod('grpo-novelty')(paperPreset).novelty.coef, paperPreset.novelty.coef)
 * assert.equal(modeProbabilities(applyMethod('empo2-no-offpolicy')(officialPreset).modes).offPolicy, 0)
 * assert.equal(applyMethod('empo2-no-mask')(paperPreset).mask.enabled, false)
 *
 * @since 0.1.0
 * @category destructors
 */
export const applyMethod =
  (method: Method) =>
  (c: Config): Config =>
    methods[method].configure(c)

/**
 * The method record of a run: its method's config change applied, then its definition built.
 *
 * @example
 * import { runMethod } from './method.ts'
 * import { mainJobRun } from '../../spec/run.ts'
 * import { embed } from '../memory/embedding.ts'
 * const m = runMethod(mainJobRun('reflexion', 'paper'), embed)
 * assert.equal(m.agent.maxTipsShown, 3)
 * assert.deepEqual(m.trainingModes('onPolicyNoMemory'), { _tag: 'Fixed', mode: 'onPolicyWithTips' })
 * assert.equal(runMethod(mainJobRun('grpo', 'paper'), embed).writesTips, false)
 *
 * @since 0.1.0
 * @category destructors
 */
export const runMethod = (run: RunConfig, embedder: Embedder): RunMethod => {
  const def = methods[run.method]
  const algo = def.configure(run.algo)
  return { name: run.method, algo, ...def.build({ ...run, algo }, embedder) }
}
