/**
 * Z-machine interactive fiction (the games of the Jericho benchmark) as an {@link Environment}, run
 * headless in process by the `ifvms` interpreter with the Glk library of `glkote-term` and a minimal
 * GlkOte written here, which collects the story window's text and the status line, feeds line input
 * and answers key presses. The default game is `advent.z5`, which `glkote-term` ships; any other
 * `.z3`/`.z5`/`.z8` file works the same way. Each episode runs on a fresh copy of the story; a
 * watchdog stops a game that never asks for input; the score is read by src/core/env/gameScore.ts.
 * Observation, score sources, done, menus, seeding and the limits: docs/environments.md,
 * "Z-machine interactive fiction".
 *
 * @since 0.1.0
 */
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { compileFunction } from 'node:vm'
import * as E from 'fp-ts/lib/Either.js'
import type { Environment, ResetResult, StepResult } from '../../spec/env.ts'
import * as B from '../../spec/brands.ts'
import { failedStep } from './inProcess.ts'
import { readScore } from '../../core/env/gameScore.ts'
import type { HeaderFields, ScoreSource } from '../../core/env/gameScore.ts'

const require = createRequire(import.meta.url)

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of a Z-machine environment.
 *
 * @since 0.1.0
 * @category model
 */
export interface ZMachineOptions {
  /** Path of the story file (default: glkote-term's advent.z5). */
  readonly file?: string
  /**
   * The game's maximum raw score, to scale to [0, 100]. Default: the maximum the game states ("out
   * of a possible M") once it has, else 350 for advent, else 100.
   */
  readonly maxScore?: number
  /** Steps per episode (default 100). */
  readonly stepLimit?: number
  /** Longest observation, in characters (default 600). */
  readonly maxObservationLength?: number
  /** Longest action sent to the game, in characters (default 200); longer ones are cut, and `info.actionTruncated` says so. */
  readonly maxActionLength?: number
  /** How long the game may run without asking for input, in ms, before the watchdog ends the episode (default 5000). */
  readonly timeoutMs?: number
  /**
   * How many keys are sent to leave a key-press menu or pause, and how many file prompts are
   * cancelled, in one turn before the step ends with an error (default 16).
   */
  readonly maxKeys?: number
  /**
   * A per-game score reader, tried before the built-in sources: the raw score after a turn, or
   * `undefined` to fall back to them (docs/environments.md, "Z-machine interactive fiction").
   */
  readonly scoreReader?: (view: ZMachineScoreView) => number | undefined
}

/**
 * What a custom score reader sees after a turn: the story text of the turn (before cleaning and
 * cutting), the status line, the game's global variables (`global(n)`, a signed word) and the raw
 * score before the turn.
 *
 * @since 0.1.0
 * @category model
 */
export interface ZMachineScoreView {
  readonly text: string
  readonly status: string
  readonly global: (n: number) => number
  readonly previous: number
}

/**
 * Path of `advent.z5` as shipped by the `glkote-term` package.
 *
 * @since 0.1.0
 * @category constructors
 */
export const adventPath = (): string => require.resolve('glkote-term/tests/advent.z5')

/**
 * The hint list of actions offered as "admissible" for a Z-machine game.
 *
 * @since 0.1.0
 * @category model
 */
export const commonActions: ReadonlyArray<string> = [
  'north',
  'south',
  'east',
  'west',
  'northeast',
  'northwest',
  'southeast',
  'southwest',
  'up',
  'down',
  'in',
  'out',
  'look',
  'inventory',
  'take all',
  'drop all',
  'wait'
]

const metrics = {
  buffercharheight: 1,
  buffercharwidth: 1,
  buffermarginx: 0,
  buffermarginy: 0,
  graphicsmarginx: 0,
  graphicsmarginy: 0,
  gridcharheight: 1,
  gridcharwidth: 1,
  gridmarginx: 0,
  gridmarginy: 0,
  height: 25,
  inspacingx: 0,
  inspacingy: 0,
  outspacingx: 0,
  outspacingy: 0,
  width: 80
}

interface GlkUpdate {
  readonly type: string
  readonly gen?: number
  readonly content?: ReadonlyArray<{
    readonly id: number
    readonly lines?: ReadonlyArray<{ readonly content?: ReadonlyArray<unknown> }>
    readonly text?: ReadonlyArray<{ readonly content?: ReadonlyArray<unknown> }>
  }>
  readonly input?: ReadonlyArray<{ readonly id: number; readonly type: string; readonly gen?: number }>
  readonly specialinput?: unknown
}

interface Accepting {
  accept: (ev: Record<string, unknown>) => void
}

// the text runs of a line, skipping the echo of the player's input
const runs = (content: ReadonlyArray<unknown> | undefined): string => {
  if (content === undefined) return ''
  let out = ''
  for (let i = 0; i < content.length; i++) {
    const c = content[i]
    if (typeof c === 'string') {
      // flat form: style, text, style, text, …
      const text = content[i + 1]
      if (c !== 'input' && typeof text === 'string') out += text
      i++
    } else if (typeof c === 'object' && c !== null) {
      const run = c as { style?: string; text?: string }
      if (run.style !== 'input' && typeof run.text === 'string') out += run.text
    }
  }
  return out
}

interface GlkApi {
  readonly init: (options: unknown) => void
}

type GlkFactory = (
  module: { exports: unknown },
  exports: unknown,
  req: NodeJS.Require,
  glk: undefined
) => void
let glkFactory: GlkFactory | undefined

/**
 * A fresh instance of glkote-term's Glk library (glkapi.js keeps its windows and streams in module
 * state, so each game needs its own). The source is compiled once and its function run per game;
 * loading it through `require` again would leave every instance, with the game it served, on the
 * requiring module's `children` list. `Glk` is a parameter so that the library's `Glk = …` does not
 * make a global.
 */
const freshGlk = (): GlkApi => {
  if (glkFactory === undefined) {
    const path = require.resolve('glkote-term/src/glkapi.js')
    glkFactory = compileFunction(readFileSync(path, 'utf8'), ['module', 'exports', 'require', 'Glk'], {
      filename: path
    }) as GlkFactory
  }
  const module = { exports: {} }
  glkFactory(module, module.exports, require, undefined)
  return module.exports as GlkApi
}

/** Keys sent, in turn, when a game waits for a key press: any key ends a "press a key" pause, and escape and `q` leave an Inform menu, one level each. */
const menuKeys: ReadonlyArray<string> = ['escape', 'q']

/** Why a game stopped short of asking for a line of input. */
type Stuck =
  | { readonly _tag: 'TimedOut'; readonly ms: number }
  | { readonly _tag: 'KeysExhausted'; readonly keys: number }
  | { readonly _tag: 'PromptsExhausted'; readonly prompts: number }

/** A running game: a fresh Glk library instance and VM. */
interface Game {
  /** Send a line of input, then answer key presses and file prompts until the game asks for a line. */
  readonly send: (line: string) => void
  readonly take: () => string
  readonly status: () => string
  /** Keys sent since the last call, in order. */
  readonly takeKeys: () => ReadonlyArray<string>
  readonly stuck: () => Stuck | undefined
  /** The game has exited, or asks for nothing. */
  readonly exited: () => boolean
  readonly header: () => HeaderFields
  /** Global variable `n` as a signed word. */
  readonly global: (n: number) => number
}

interface Limits {
  readonly timeoutMs: number
  readonly maxKeys: number
}

type Run = (this: Record<string, unknown>) => void

const startGame = (story: Uint8Array, seed: number, limits: Limits): Game => {
  const Glk = freshGlk()
  const ZVM = require('ifvms') as { ZVM: new () => Record<string, unknown> }
  let iface: Accepting | undefined
  let gen = 0
  let text: string[] = []
  let statusLine = ''
  let input: GlkUpdate['input'] = []
  let exited = false
  let special = false
  let keys: string[] = []
  let stuck: Stuck | undefined
  const GlkOte = {
    getinterface: () => iface,
    init: (i: Accepting) => {
      iface = i
      i.accept({ type: 'init', gen: 0, metrics, support: [] })
    },
    update: (data: GlkUpdate) => {
      if (data.type === 'exit') exited = true
      if (data.type !== 'update' && data.type !== 'exit') return
      if (data.gen !== undefined) gen = data.gen
      for (const c of data.content ?? []) {
        if (c.lines !== undefined) statusLine = c.lines.map((l) => runs(l.content)).join(' ')
        for (const p of c.text ?? []) text.push(runs(p.content))
      }
      if (data.input !== undefined) input = data.input
      special = data.specialinput !== undefined && data.specialinput !== null
    },
    log: () => {},
    warning: () => {},
    error: (m: unknown) => {
      throw new Error(`glk: ${String(m)}`)
    }
  }
  const Dialog = {
    streaming: false,
    file_ref_exists: () => false,
    file_construct_ref: () => ({}),
    file_construct_temp_ref: () => ({}),
    file_read: () => null,
    file_write: () => {},
    file_remove_ref: () => {}
  }
  const vm = new ZVM.ZVM()
  // seed the Z-machine's xorshift generator at start and after every restart/restore
  const zseed = (seed | 0) === 0 ? 0x2545f491 : seed | 0
  const updateHeader = vm['update_header'] as (this: unknown) => void
  vm['update_header'] = function (this: Record<string, unknown>) {
    updateHeader.call(this)
    this['xorshift_seed'] = zseed
  }
  // the watchdog: ifvms's own run loop (one compiled block per turn of the loop), stopped when the
  // game has run past the deadline without asking for input
  let deadline = 0
  vm['run'] = function (this: Record<string, unknown>) {
    const jit = this['jit'] as Record<number, (e: unknown) => unknown>
    this['stop'] = 0
    for (let blocks = 1; !this['stop']; blocks++) {
      const pc = this['pc'] as number
      if (jit[pc] === undefined) (this['compile'] as Run).call(this)
      const result = (jit[pc] as (e: unknown) => unknown)(this)
      if (!Number.isNaN(Number(result))) (this['ret'] as (r: unknown) => void).call(this, result)
      if ((blocks & 1023) === 0 && Date.now() > deadline) {
        stuck = { _tag: 'TimedOut', ms: limits.timeoutMs }
        this['stop'] = 1
      }
    }
  } satisfies Run
  const arm = (): void => {
    deadline = Date.now() + limits.timeoutMs
  }
  const options = { vm, Glk, GlkOte, Dialog }
  ;(vm['prepare'] as (s: Uint8Array, o: unknown) => void).call(vm, story, options)
  arm()
  Glk.init(options)
  const waitsFor = (type: string): { readonly id: number } | undefined =>
    (input ?? []).find((x) => x.type === type)
  const pump = (): void => {
    // cancel file prompts (save/restore) and answer key presses, until the game asks for a line
    for (let sent = 0, prompts = 0; iface !== undefined && !exited && stuck === undefined;) {
      if (special) {
        if (prompts === limits.maxKeys) {
          stuck = { _tag: 'PromptsExhausted', prompts }
          return
        }
        prompts++
        special = false
        arm()
        iface.accept({ type: 'specialresponse', gen, response: 'fileref_prompt', value: null })
        continue
      }
      const ch = waitsFor('char')
      if (ch === undefined || waitsFor('line') !== undefined) return
      if (sent === limits.maxKeys) {
        stuck = { _tag: 'KeysExhausted', keys: sent }
        return
      }
      const key = menuKeys[sent % menuKeys.length] ?? 'escape'
      sent++
      keys.push(key)
      arm()
      iface.accept({ type: 'char', gen, window: ch.id, value: key })
    }
  }
  pump()
  return {
    send: (line) => {
      const w = waitsFor('line')
      if (iface === undefined || w === undefined || exited) {
        exited = true
        return
      }
      arm()
      iface.accept({ type: 'line', gen, window: w.id, value: line })
      pump()
    },
    take: () => {
      const t = text.join('\n')
      text = []
      return t
    },
    status: () => statusLine,
    takeKeys: () => {
      const k = keys
      keys = []
      return k
    },
    stuck: () => stuck,
    exited: () => exited || waitsFor('line') === undefined,
    header: () => {
      const m = vm['m'] as { getUint8: (a: number) => number; getUint16: (a: number) => number }
      const globals = vm['globals'] as number
      return { version: m.getUint8(0), flags1: m.getUint8(1), global1: m.getUint16(globals + 2) }
    },
    global: (n) => {
      const m = vm['m'] as { getUint16: (a: number) => number }
      return (m.getUint16((vm['globals'] as number) + 2 * n) << 16) >> 16
    }
  }
}

const clean = (s: string, max: number): { readonly text: string; readonly truncated: boolean } => {
  const t = s
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '>')
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/\n?>\s*$/, '')
    .trim()
  return t.length <= max
    ? { text: t, truncated: false }
    : { text: `${t.slice(0, max - 3)}...`, truncated: true }
}

const endedRe = /\*\*\*\s*[^*]+\s*\*\*\*|RESTART, RESTORE/

const knownMaxScores: Readonly<Record<string, number>> = { advent: 350 }

const stuckMessage = (s: Stuck): string => {
  switch (s._tag) {
    case 'TimedOut':
      return `the game ran ${String(s.ms)} ms without asking for input (watchdog)`
    case 'KeysExhausted':
      return `the game still waits for a key after ${String(s.keys)} key presses (a menu that could not be left)`
    case 'PromptsExhausted':
      return `the game asked for a file ${String(s.prompts)} times in one turn (each cancelled)`
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * A Z-machine game as an {@link Environment}. One task, named after the file, variant 0 only;
 * `reset` starts the game afresh from a copy of the story file (the seed seeds the game's random
 * numbers, see the module doc). A file that cannot be read is a `Left` of `reset`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const zmachine = (opts: ZMachineOptions = {}): Environment => {
  const file = opts.file ?? adventPath()
  const task = basename(file).replace(/\.z\d$/, '')
  const limit = opts.stepLimit ?? 100
  const maxLen = opts.maxObservationLength ?? 600
  const maxAction = opts.maxActionLength ?? 200
  const limits: Limits = { timeoutMs: opts.timeoutMs ?? 5000, maxKeys: opts.maxKeys ?? 16 }
  // the story as read from the file; ifvms runs a game in the memory it is given, so each game gets
  // a copy (handing it this buffer would start the next episode where the last one ended)
  let story: Uint8Array | undefined
  // a maximum the game stated ("out of a possible M"): the same for every episode of this file
  let statedMax: number | undefined
  let game: Game | undefined
  let raw = 0
  let steps = 0
  let done = true
  const maxScore = (): number => opts.maxScore ?? statedMax ?? knownMaxScores[task] ?? 100
  const scaled = (r: number): B.Score => B.score(Math.max(0, Math.min(100, (100 * r) / maxScore())))
  // what every reset and step reports: the raw score and its scale and source, the step count, and
  // whether the observation was cut or keys were sent to leave a menu
  const episodeInfo = (source: ScoreSource | 'custom', truncated: boolean, keys: ReadonlyArray<string>) => ({
    rawScore: raw,
    maxScore: maxScore(),
    scoreSource: source,
    steps,
    stepLimit: limit,
    truncated,
    ...(keys.length > 0 ? { keysSent: keys.join(' ') } : {})
  })
  const score = (g: Game, text: string): ScoreSource | 'custom' => {
    const status = g.status()
    const custom = opts.scoreReader?.({ text, status, global: g.global, previous: raw })
    if (custom !== undefined) {
      raw = custom
      return 'custom'
    }
    const header = g.header()
    const r = readScore({ text, status, header }, raw)
    if (r.max !== undefined && r.max > 0) statedMax = r.max
    raw = r.score
    return r.source
  }
  return {
    name: `zmachine:${task}`,
    tasks: async () => [{ task, split: 'test', variants: [B.nonNegativeInt(0)] }],
    reset: async (req) => {
      if (req.task !== task)
        return E.left({ _tag: 'EnvError', message: `unknown task "${req.task}"; this game is "${task}"` })
      game = undefined
      done = true
      try {
        story ??= new Uint8Array(readFileSync(file))
      } catch (e) {
        return E.left({ _tag: 'EnvError', message: `cannot read the game file ${file}: ${String(e)}` })
      }
      let g: Game
      try {
        g = startGame(story.slice(), req.seed, limits)
      } catch (e) {
        return E.left({ _tag: 'EnvError', message: `cannot start ${file}: ${String(e)}` })
      }
      const stuck = g.stuck()
      if (stuck !== undefined)
        return E.left({ _tag: 'EnvError', message: `cannot start ${file}: ${stuckMessage(stuck)}` })
      const text = g.take()
      raw = 0
      const source = score(g, text)
      game = g
      steps = 0
      done = false
      const keys = g.takeKeys()
      const obs = clean(text, maxLen)
      const out: ResetResult = {
        observation: obs.text,
        taskDescription: `Play ${task} and score as many points as you can (maximum ${String(maxScore())}).`,
        admissibleActions: commonActions,
        score: scaled(raw),
        info: episodeInfo(source, obs.truncated, keys)
      }
      return E.right(out)
    },
    step: async (action) => {
      if (game === undefined || done) return failedStep('step outside an episode', scaled(raw))
      const g = game
      try {
        const flat = action.replace(/[\r\n]+/g, ' ')
        const line = flat.slice(0, maxAction)
        // file prompts are not answered headless (and ifvms fails on a cancelled restore)
        const fileCommand = /^\s*(save|restore)\b/i.test(line)
        if (!fileCommand) g.send(line)
        steps++
        const text = fileCommand ? '[Saving and restoring are disabled in this environment.]' : g.take()
        const before = raw
        const source = score(g, text)
        const stuck = g.stuck()
        const ended = stuck === undefined && (g.exited() || endedRe.test(text))
        done = stuck !== undefined || ended || steps >= limit
        const keys = g.takeKeys()
        const obs = clean(text, maxLen)
        const out: StepResult = {
          observation: obs.text,
          reward: B.reward(raw - before),
          score: scaled(raw),
          done,
          admissibleActions: done ? [] : commonActions,
          info: {
            ...episodeInfo(source, obs.truncated, keys),
            actionTruncated: flat.length > maxAction,
            gameOver: ended,
            ...(stuck === undefined ? {} : { error: stuckMessage(stuck) })
          }
        }
        if (done) game = undefined
        return out
      } catch (e) {
        done = true
        game = undefined
        return failedStep(`interpreter error: ${String(e)}`, scaled(raw))
      }
    },
    close: async () => {
      game = undefined
      done = true
    }
  }
}
