/**
 * The configuration of a training run: which method (EMPO², a baseline or an ablation), the algorithm's
 * hyperparameters (`Config`, with its `paper`/`official` presets), the policy model, the agent's
 * prompt budget, and the schedule (iterations, tasks, evaluation, checkpoints). One typed record,
 * decoded with io-ts; a run directory stores the resolved record.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { decodeWith, isPlainObject, strict, type DecodeError } from './codec.ts'
import { NonNegativeInt, PositiveInt, Positive, nonNegativeInt, positive, positiveInt } from './brands.ts'
import { Config, decodeConfig, decodeConfigOver } from './config.ts'
import { ModelConfig, decodeModelConfig, priorModelConfig } from './model.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The methods one training loop runs, each a transformation of the algorithm config:
 * - `empo2`: the method as configured;
 * - `grpo`: no memory rollouts (`p = 0`; per-iteration thresholds 0), so no tips and no off-policy
 *   updates, no low-probability mask (Eq. 1), and no intrinsic reward (EMPO²'s novelty bonus,
 *   docs/method.md §6) — the baseline EMPO² extends;
 * - `grpo-novelty`: GRPO plus EMPO²'s state-novelty reward as configured (`p = 0`, coefficient kept) —
 *   EMPO² without memory, which separates what the novelty bonus does from what memory does; it
 *   needs the `stateNovelty` rule and a positive coefficient (see {@link methodConflict});
 * - `empo2-no-offpolicy`: memory rollouts are always updated on-policy (`q = 0`);
 * - `empo2-no-mask`: the low-probability mask switched off;
 * - `empo2-no-intrinsic`: the intrinsic-reward coefficient set to 0;
 * - `reflexion`: no parameter updates; after each episode the policy writes a reflection for the task
 *   and the last 3 reflections of the task are in every prompt;
 * - `rememberer`: no parameter updates; every step updates a Q-value per (observation, task) key and
 *   action, and every prompt shows the most similar keys' best and worst actions (docs/method.md §10);
 * - `mdsi`: memory-driven prior refinement: a step acts with a posterior over the policy's sampled
 *   candidates weighted by a Q-memory of returns, and the update fits the policy to that posterior
 *   (docs/method.md §11).
 *
 * @since 0.1.0
 * @category model
 */
export const Method = t.keyof({
  empo2: null,
  grpo: null,
  'grpo-novelty': null,
  'empo2-no-offpolicy': null,
  'empo2-no-mask': null,
  'empo2-no-intrinsic': null,
  reflexion: null,
  rememberer: null,
  mdsi: null
})
/** @since 0.1.0 @category model */
export type Method = t.TypeOf<typeof Method>

/**
 * The method a run trains when none is named, and the one a bare checkpoint is evaluated as.
 *
 * @since 0.1.0
 * @category model
 */
export const defaultMethod: Method = 'empo2'

/**
 * Why `method` cannot run under the algorithm config `algo`, or null. Only `grpo-novelty` has such a
 * condition: it is GRPO plus the state-novelty bonus (docs/method.md §6), so it needs `novelty.rule =
 * stateNovelty` and a positive coefficient. The official preset has neither: its `retrievedCount`
 * rule counts retrieved tips, and without memory there are none, so the "bonus" would be the same
 * constant on every step; with coefficient 0 the run would be GRPO under another name.
 *
 * @example
 * import { methodConflict } from './run.ts'
 * import { paperPreset, officialPreset } from './config.ts'
 * assert.equal(methodConflict('grpo-novelty', paperPreset), null)
 * assert.match(methodConflict('grpo-novelty', officialPreset) ?? '', /retrievedCount/)
 * assert.equal(methodConflict('grpo', officialPreset), null)
 *
 * @since 0.1.0
 * @category model
 */
export const methodConflict = (method: Method, algo: Config): string | null => {
  if (method !== 'grpo-novelty') return null
  if (algo.novelty.rule !== 'stateNovelty')
    return `grpo-novelty adds the state-novelty bonus, but novelty.rule is ${algo.novelty.rule}: without memory no tip is ever retrieved, so that reward would be one constant per step`
  if (algo.novelty.coef <= 0)
    return 'grpo-novelty adds the state-novelty bonus, but novelty.coef is 0: the run would be GRPO'
  return null
}

/**
 * The methods of a list that can run under `algo` ({@link methodConflict}), in order, and the others
 * with the reason — how `compare` drops a profile's method that does not fit the chosen preset.
 *
 * @example
 * import { runnableMethods } from './run.ts'
 * import { officialPreset } from './config.ts'
 * const r = runnableMethods(['empo2', 'grpo', 'grpo-novelty'], officialPreset)
 * assert.deepEqual(r.methods, ['empo2', 'grpo'])
 * assert.deepEqual(r.leftOut.map((l) => l.method), ['grpo-novelty'])
 *
 * @since 0.1.0
 * @category model
 */
export const runnableMethods = (
  methods: ReadonlyArray<Method>,
  algo: Config
): {
  readonly methods: ReadonlyArray<Method>
  readonly leftOut: ReadonlyArray<{ readonly method: Method; readonly why: string }>
} => {
  const why = methods.map((m) => [m, methodConflict(m, algo)] as const)
  return {
    methods: why.filter(([, w]) => w === null).map(([m]) => m),
    leftOut: why.flatMap(([method, w]) => (w === null ? [] : [{ method, why: w }]))
  }
}

/**
 * The agent's prompt budget: how many earlier steps each prompt shows (`historyWindow`), how many
 * retrieved tips are shown at most (`maxTipsShown`, a cap under `memory.maxTips` imposed by the small
 * model's context), each tip's length cap in characters (`maxTipChars`), the steps shown to the tip
 * writer (`tipHistoryWindow`) and the longest tip in tokens (`tipMaxTokens`).
 *
 * @since 0.1.0
 * @category model
 */
export const AgentConfig = strict(
  {
    historyWindow: NonNegativeInt,
    maxTipsShown: NonNegativeInt,
    maxTipChars: PositiveInt,
    tipHistoryWindow: NonNegativeInt,
    tipMaxTokens: PositiveInt
  },
  'AgentConfig'
)
/** @since 0.1.0 @category model */
export type AgentConfig = t.TypeOf<typeof AgentConfig>

/**
 * The schedule: `iterations` of `rollout.tasksPerBatch` tasks × `rollout.groupSize` rollouts, tasks
 * drawn from `families` × `variants` (the training split); every `evalEvery` iterations and at the
 * last (0: only at the last; that evaluation is the run's final one, on the last metrics line and in
 * `eval.json`) the policy is evaluated without memory at `rollout.evalTemperature` on `evalVariants` unseen
 * variants per family (from 5 on); a checkpoint is written every `checkpointEvery` iterations and at the
 * end. `skipZeroAdvantage` is an exact optimisation: a row whose advantage is 0 (a group whose
 * rollouts all have the same return) is left out of the forward pass when it adds nothing to the
 * loss but its count (`β = 0` and no entropy bonus; `omittable` in src/core/loss/loss.ts). Rows are
 * assigned to mini-batches as if all were kept, and a left-out row still counts in every
 * denominator, so the loss and its gradient are those of the update with the row in; only the
 * `maskedFraction` and `approxKl` diagnostics are then over the scored rows. With `β > 0` or an
 * entropy bonus every row is scored.
 *
 * @since 0.1.0
 * @category model
 */
export const ScheduleConfig = strict(
  {
    iterations: PositiveInt,
    families: t.readonlyArray(t.string),
    variants: t.readonlyArray(NonNegativeInt),
    evalEvery: NonNegativeInt,
    evalVariants: NonNegativeInt,
    oodFamilies: t.readonlyArray(t.string),
    oodVariants: NonNegativeInt,
    oodTrials: PositiveInt,
    checkpointEvery: PositiveInt,
    skipZeroAdvantage: t.boolean,
    tipTemperature: Positive
  },
  'ScheduleConfig'
)
/** @since 0.1.0 @category model */
export type ScheduleConfig = t.TypeOf<typeof ScheduleConfig>

/**
 * The environment a run trains and evaluates on (docs/environments.md):
 * - `suite`: the embedded suite (the default);
 * - `zmachine`: a Z-machine story file (`game`, a path), played in process;
 * - `bridge`: any program speaking the JSON-lines bridge protocol (`command`: the program and its
 *   arguments);
 * - `scienceworld`, `alfworld`, `webshop`: the adapters under `adapters/` (`args`: extra arguments of
 *   the adapter program).
 *
 * @since 0.1.0
 * @category model
 */
export const EnvSpec = t.union([
  strict({ kind: t.literal('suite') }, 'SuiteEnv'),
  strict({ kind: t.literal('zmachine'), game: t.string }, 'ZMachineEnv'),
  strict({ kind: t.literal('bridge'), command: t.readonlyArray(t.string) }, 'BridgeEnv'),
  strict(
    { kind: t.keyof({ scienceworld: null, alfworld: null, webshop: null }), args: t.readonlyArray(t.string) },
    'AdapterEnv'
  )
])
/** @since 0.1.0 @category model */
export type EnvSpec = t.TypeOf<typeof EnvSpec>

/**
 * The embedded suite: the environment of a run that names none.
 *
 * @since 0.1.0
 * @category presets
 */
export const suiteEnv: EnvSpec = { kind: 'suite' }

/**
 * An environment from its command-line form: `suite`, `zmachine:<game file>`, `bridge:<command>`
 * (split on spaces), or `scienceworld` / `alfworld` / `webshop`, each optionally `:<arguments>` (split
 * on spaces). Anything else is a `Left` naming the forms.
 *
 * @example
 * import { parseEnvSpec } from './run.ts'
 * assert.deepEqual(parseEnvSpec('zmachine:games/zork1.z5'), { _tag: 'Right', right: { kind: 'zmachine', game: 'games/zork1.z5' } })
 * assert.deepEqual(parseEnvSpec('bridge:python3 my_env.py --fast'), { _tag: 'Right', right: { kind: 'bridge', command: ['python3', 'my_env.py', '--fast'] } })
 * assert.deepEqual(parseEnvSpec('alfworld:--config base.yaml'), { _tag: 'Right', right: { kind: 'alfworld', args: ['--config', 'base.yaml'] } })
 * assert.equal(parseEnvSpec('zmachine:')._tag, 'Left')
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseEnvSpec = (s: string): E.Either<string, EnvSpec> => {
  const colon = s.indexOf(':')
  const kind = colon < 0 ? s : s.slice(0, colon)
  const rest = colon < 0 ? '' : s.slice(colon + 1).trim()
  const words = rest.split(/\s+/u).filter((w) => w.length > 0)
  const forms = 'suite, zmachine:<game file>, bridge:<command>, scienceworld|alfworld|webshop[:<arguments>]'
  switch (kind) {
    case 'suite':
      return rest === '' ? E.right(suiteEnv) : E.left(`the suite takes no argument (got "${rest}")`)
    case 'zmachine':
      return rest === ''
        ? E.left('zmachine needs a game file: zmachine:<path>')
        : E.right({ kind, game: rest })
    case 'bridge':
      return words.length === 0
        ? E.left('bridge needs a command: bridge:<command>')
        : E.right({ kind, command: words })
    case 'scienceworld':
    case 'alfworld':
    case 'webshop':
      return E.right({ kind, args: words })
    default:
      return E.left(`unknown environment "${s}"; one of: ${forms}`)
  }
}

/**
 * The command-line form of an environment ({@link parseEnvSpec}'s inverse for arguments without
 * spaces).
 *
 * @example
 * import { showEnvSpec, parseEnvSpec } from './run.ts'
 * assert.equal(showEnvSpec({ kind: 'zmachine', game: 'advent.z5' }), 'zmachine:advent.z5')
 * assert.deepEqual(parseEnvSpec(showEnvSpec({ kind: 'webshop', args: [] })), { _tag: 'Right', right: { kind: 'webshop', args: [] } })
 *
 * @since 0.1.0
 * @category destructors
 */
export const showEnvSpec = (e: EnvSpec): string => {
  switch (e.kind) {
    case 'suite':
      return 'suite'
    case 'zmachine':
      return `zmachine:${e.game}`
    case 'bridge':
      return `bridge:${e.command.join(' ')}`
    default:
      return e.args.length === 0 ? e.kind : `${e.kind}:${e.args.join(' ')}`
  }
}

/**
 * A whole run: the method, the algorithm config, the model, the agent's prompt budget, the schedule,
 * the environment, and the checkpoint the policy starts from (`prior`, a path; `null` starts from
 * random weights).
 *
 * @since 0.1.0
 * @category model
 */
export const RunConfig = strict(
  {
    method: Method,
    algo: Config,
    model: ModelConfig,
    agent: AgentConfig,
    schedule: ScheduleConfig,
    env: EnvSpec,
    prior: t.union([t.string, t.null])
  },
  'RunConfig'
)
/** @since 0.1.0 @category model */
export type RunConfig = t.TypeOf<typeof RunConfig>

// -------------------------------------------------------------------------------------
// presets
// -------------------------------------------------------------------------------------

/**
 * The default agent budget for the small default model: one earlier step, at most 1 tip of at most
 * 100 characters, 1 earlier step shown to the tip writer (with the final observation), tips of at most
 * 40 tokens. One tip, not two: with two, trained policies read tips written in neighbouring rooms as
 * orders to go back and forth, and lose memory's use (docs/experiments/11-ood-words-and-tips.md, 12-one-tip.md). The committed
 * prior was fitted on one-tip prompts (`defaultCorpusOptions` of src/core/prior/corpus.ts uses this budget;
 * the prior before it, `prior/suite-words.ckpt`, on two).
 *
 * @example
 * import { defaultAgent } from './run.ts'
 * assert.equal(defaultAgent.maxTipsShown, 1)
 *
 * @since 0.1.0
 * @category presets
 */
export const defaultAgent: AgentConfig = {
  historyWindow: nonNegativeInt(1),
  maxTipsShown: nonNegativeInt(1),
  maxTipChars: positiveInt(100),
  tipHistoryWindow: nonNegativeInt(1),
  tipMaxTokens: positiveInt(40)
}

/**
 * The in-distribution families of the embedded suite and the two held out for out-of-distribution
 * tests (docs/environments.md).
 *
 * @example
 * import { suiteFamilies, oodFamilies } from './run.ts'
 * assert.equal(suiteFamilies.length + oodFamilies.length, 8)
 *
 * @since 0.1.0
 * @category presets
 */
export const suiteFamilies: ReadonlyArray<string> = [
  'activate-light',
  'collect',
  'repair',
  'open-container',
  'make-paint',
  'measure'
]
/** @since 0.1.0 @category presets */
export const oodFamilies: ReadonlyArray<string> = ['power-fan', 'deliver']

/**
 * The main job's changes to an algorithm preset, scaled to two CPU cores and the small prior
 * (docs/main-job.md lists them as deviations from the paper): 4 tasks × 8 rollouts per iteration, at
 * most 15 steps per episode, 16-token actions, evaluation at temperature 0.4, learning rate 2e-4 with
 * 64-row minibatches (`optim.miniBatchUnit` rows: both presets count groups, which at this size
 * would be 512 rows, more than an iteration has), and no KL term (β = 0: no reference model to score, a third less update time;
 * the released implementation also uses β = 0).
 *
 * @example
 * import { mainJobAlgo } from './run.ts'
 * assert.equal(mainJobAlgo.rollout.groupSize, 8)
 * assert.equal(mainJobAlgo.optim.miniBatchUnit, 'rows')
 *
 * @since 0.1.0
 * @category presets
 */
export const mainJobAlgo = {
  rollout: { groupSize: 8, tasksPerBatch: 4, maxSteps: 15, maxResponseTokens: 16, evalTemperature: 0.4 },
  optim: { learningRate: 2e-4, miniBatchSize: 64, miniBatchUnit: 'rows' },
  kl: { beta: 0 }
} as const

/**
 * The main job's schedule: 30 iterations on variants 0–4 of the six in-distribution families, a
 * held-out evaluation (5 unseen variants per family, no memory) every 5 iterations, and at the end 3
 * out-of-distribution trials with memory on 5 variants of each held-out family; checkpoints every 10.
 *
 * @example
 * import { mainJobSchedule } from './run.ts'
 * assert.deepEqual(mainJobSchedule.variants, [0, 1, 2, 3, 4])
 *
 * @since 0.1.0
 * @category presets
 */
export const mainJobSchedule: ScheduleConfig = {
  iterations: positiveInt(30),
  families: suiteFamilies,
  variants: [0, 1, 2, 3, 4].map(nonNegativeInt),
  evalEvery: nonNegativeInt(5),
  evalVariants: nonNegativeInt(5),
  oodFamilies,
  oodVariants: nonNegativeInt(5),
  oodTrials: positiveInt(3),
  checkpointEvery: positiveInt(10),
  skipZeroAdvantage: true,
  tipTemperature: positive(0.4)
}

/**
 * The path of the committed prior, relative to the repository root.
 *
 * @example
 * import { defaultPriorPath } from './run.ts'
 * assert.equal(defaultPriorPath, 'prior/default.ckpt')
 *
 * @since 0.1.0
 * @category presets
 */
export const defaultPriorPath = 'prior/default.ckpt'

/**
 * The main job's run config for a method and an algorithm preset: {@link mainJobAlgo} over the
 * preset, the prior's architecture (replaced by the checkpoint's own config when the run starts),
 * the default agent budget with 16-token tips, {@link mainJobSchedule}, and the committed prior.
 *
 * @example
 * import { mainJobRun } from './run.ts'
 * const r = mainJobRun('grpo', 'official')
 * assert.equal(r.method, 'grpo')
 * assert.equal(r.algo.preset, 'official')
 * assert.equal(r.algo.rollout.tasksPerBatch, 4)
 *
 * @since 0.1.0
 * @category presets
 */
export const mainJobRun = (method: Method, preset: 'paper' | 'official'): RunConfig => {
  const algo = decodeConfig({ preset, ...mainJobAlgo })
  if (E.isLeft(algo)) throw new Error(`mainJobRun: ${algo.left.problems.join('; ')}`)
  return {
    method,
    algo: algo.right,
    model: priorModelConfig,
    agent: { ...defaultAgent, tipMaxTokens: positiveInt(16) },
    schedule: mainJobSchedule,
    env: suiteEnv,
    prior: defaultPriorPath
  }
}

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

/**
 * Decode a run config. `algo` is merged field by field onto `base.algo` (`decodeConfigOver`: the
 * base's settings stay unless named, and the overrides cannot switch preset),
 * `model` merged onto `base.model` and checked with `decodeModelConfig`, `agent` and `schedule` merged
 * field by field onto `base`'s; unknown keys anywhere are errors naming their path. A `model` override
 * with a prior is an error: the checkpoint fixes the model.
 *
 * @example
 * import { decodeRunConfig } from './run.ts'
 * import { defaultModelConfig } from './model.ts'
 * import { paperPreset } from './config.ts'
 * const base = { method: 'empo2', algo: paperPreset, model: defaultModelConfig, agent: { historyWindow: 1, maxTipsShown: 2, maxTipChars: 100, tipHistoryWindow: 3, tipMaxTokens: 40 }, schedule: { iterations: 1, families: ['collect'], variants: [0], evalEvery: 0, evalVariants: 2, oodFamilies: [], oodVariants: 0, oodTrials: 1, checkpointEvery: 1, skipZeroAdvantage: true, tipTemperature: 1 }, env: { kind: 'suite' }, prior: null }
 * const r = decodeRunConfig(base as any)({ method: 'grpo', schedule: { iterations: 3 } })
 * assert.ok(r._tag === 'Right' && r.right.schedule.iterations === 3 && r.right.method === 'grpo')
 * const scaled = { ...base, algo: { ...paperPreset, optim: { ...paperPreset.optim, learningRate: 2e-4 } } }
 * const a = decodeRunConfig(scaled as any)({ algo: { clip: { dualClip: 10 } } })
 * assert.ok(a._tag === 'Right' && a.right.algo.clip.dualClip === 10 && a.right.algo.optim.learningRate === 2e-4)
 * const bad = decodeRunConfig(base as any)({ schedule: { iteratons: 3 } })
 * assert.ok(bad._tag === 'Left' && bad.left.problems[0]!.includes('schedule.iteratons'))
 * const clash = decodeRunConfig({ ...base, prior: 'prior/default.ckpt' } as any)({ model: { width: 128 } })
 * assert.ok(clash._tag === 'Left' && clash.left.problems[0]!.startsWith('at model: a run that starts from a prior'))
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeRunConfig =
  (base: RunConfig) =>
  (overrides: unknown): E.Either<DecodeError, RunConfig> => {
    if (!isPlainObject(overrides))
      return E.left({ _tag: 'DecodeError', what: 'run config', problems: ['(root): expected an object'] })
    const known = ['method', 'algo', 'model', 'agent', 'schedule', 'env', 'prior']
    const unknown = Object.keys(overrides).filter((k) => !known.includes(k))
    if (unknown.length > 0)
      return E.left({
        _tag: 'DecodeError',
        what: 'run config',
        problems: unknown.map((k) => `at ${k}: unknown key (known: ${known.join(', ')})`)
      })
    const prior = 'prior' in overrides ? overrides['prior'] : base.prior
    if (overrides['model'] !== undefined && prior !== null)
      return E.left({
        _tag: 'DecodeError',
        what: 'run config',
        problems: [
          `at model: a run that starts from a prior takes its model from the checkpoint (prior: ${JSON.stringify(prior)}); remove \`model\`, or set \`prior\` to null to train a fresh model`
        ]
      })
    const prefix = (p: string) => (e: DecodeError) => ({
      ...e,
      what: 'run config',
      problems: e.problems.map((s) => s.replace(/^at /, `at ${p}.`).replace(/^\(root\)/, p))
    })
    const algoIn = overrides['algo']
    const algo =
      algoIn === undefined
        ? E.right(base.algo)
        : pipe(decodeConfigOver(base.algo)(algoIn), E.mapLeft(prefix('algo')))
    const merged = (k: 'model' | 'agent' | 'schedule'): unknown => {
      const o = overrides[k]
      return o === undefined ? base[k] : isPlainObject(o) ? { ...base[k], ...o } : o
    }
    return pipe(
      algo,
      E.chain((a) =>
        pipe(
          decodeModelConfig(merged('model')),
          E.mapLeft(prefix('model')),
          E.map((model) => ({ a, model }))
        )
      ),
      E.chain(({ a, model }) =>
        decodeWith(
          RunConfig,
          'run config'
        )({
          method: overrides['method'] ?? base.method,
          algo: a,
          model,
          agent: merged('agent'),
          schedule: merged('schedule'),
          env: overrides['env'] ?? base.env,
          prior
        })
      ),
      E.chain((r) => {
        const conflict = methodConflict(r.method, r.algo)
        return conflict === null
          ? E.right(r)
          : E.left({ _tag: 'DecodeError' as const, what: 'run config', problems: [`at method: ${conflict}`] })
      })
    )
  }
