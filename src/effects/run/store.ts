/**
 * A run directory, `runs/<name>/`, written so that a crash at any moment loses no finished iteration:
 * `config.json`, `metrics.jsonl` (one {@link MetricsLine} per finished iteration), resume slots and
 * snapshots of weights and memories, `state.json` (written last: an iteration is finished when it
 * says so), `eval.json`, and `run.lock` (the one process writing the run, {@link lockRun}). A metrics
 * line beyond the state, or a torn last line, is dropped by {@link resume}, so a resumed run's metrics
 * equal an uninterrupted run's. Each file and the crash-safety argument: docs/metrics.md.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { appendLineDurable, removeStaleTemps, writeFileAtomic } from '../fs.ts'
import { MetricsLine, EvalSummary } from '../../spec/metrics.ts'
import { NoveltyMemory } from '../../spec/data.ts'
import { decodeWith, showDecodeError } from '../../spec/codec.ts'

/** What a resume needs besides the checkpoint and the memories. */
export const RunState = t.type({
  iteration: t.number,
  envSteps: t.number,
  wallSeconds: t.number
})
export type RunState = t.TypeOf<typeof RunState>

/**
 * The memories persisted across iterations (src/effects/train/rollout.ts `MemoryState`): the novelty
 * memory, and the method's store in the field(s) its memory names (`MemoryValue.snapshot`).
 */
export const MemorySnapshot = t.intersection([t.UnknownRecord, t.type({ novelty: NoveltyMemory })])
export type MemorySnapshot = t.TypeOf<typeof MemorySnapshot>

/** The files of a run directory. */
export const runPaths = (dir: string) => ({
  dir,
  config: join(dir, 'config.json'),
  metrics: join(dir, 'metrics.jsonl'),
  state: join(dir, 'state.json'),
  evaluation: join(dir, 'eval.json'),
  resumeCheckpoint: (k: number) => join(dir, 'checkpoints', `resume-${k % 2}.ckpt`),
  checkpoint: (k: number) => join(dir, 'checkpoints', `iter-${k}.ckpt`),
  resumeMemory: (k: number) => join(dir, 'memory', `resume-${k % 2}.json`),
  memory: (k: number) => join(dir, 'memory', `iter-${k}.json`),
  lock: join(dir, 'run.lock')
})

/** The checkpoint and memory of the last finished iteration, or null when none has finished. */
export const latestFiles = (dir: string): { readonly checkpoint: string; readonly memory: string } | null => {
  const st = readState(dir)
  return st === null
    ? null
    : {
        checkpoint: runPaths(dir).resumeCheckpoint(st.iteration),
        memory: runPaths(dir).resumeMemory(st.iteration)
      }
}

const readJson = <A, O>(codec: t.Type<A, O>, path: string, what: string): A => {
  let u: unknown
  try {
    u = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new Error(`${path}: cannot read ${what} (${e instanceof Error ? e.message : String(e)})`)
  }
  const r = decodeWith(codec, `${what} (${path})`)(u)
  if (E.isLeft(r)) throw new Error(showDecodeError(r.left))
  return r.right
}

/**
 * Create a fresh run directory with its config. Refuses a directory that already holds a run (use
 * `--resume`, or another name).
 */
export const createRun = (dir: string, config: unknown): void => {
  const p = runPaths(dir)
  if (existsSync(p.config) || existsSync(p.metrics) || existsSync(p.state))
    throw new Error(
      `run directory ${dir} already holds a run: resume it with --resume, or choose another name`
    )
  mkdirSync(join(dir, 'checkpoints'), { recursive: true })
  mkdirSync(join(dir, 'memory'), { recursive: true })
  writeFileAtomic(p.config, `${JSON.stringify(config, null, 2)}\n`)
}

/** The resolved config of a run, as stored (validated by the caller's codec). */
export const readConfig = <A, O>(dir: string, codec: t.Type<A, O>): A =>
  readJson(codec, runPaths(dir).config, 'run config')

/**
 * The metrics lines of a run, in order. A last line without its newline that does not parse is a torn
 * write from a crash and is dropped (`torn: true`); any other bad line is an error naming its number.
 */
export const readMetrics = (
  dir: string
): { readonly lines: ReadonlyArray<MetricsLine>; readonly torn: boolean } => {
  const path = runPaths(dir).metrics
  if (!existsSync(path)) return { lines: [], torn: false }
  const text = readFileSync(path, 'utf8')
  const raw = text.split('\n')
  const complete = text.endsWith('\n') || text === ''
  const last = raw.length - 1
  const lines: MetricsLine[] = []
  let torn = false
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i] as string
    if (s === '') continue
    let u: unknown
    try {
      u = JSON.parse(s)
    } catch {
      if (i === last && !complete) {
        torn = true
        continue
      }
      throw new Error(`${path}: line ${i + 1} is not JSON`)
    }
    const r = decodeWith(MetricsLine, `${path}: line ${i + 1}`)(u)
    if (E.isLeft(r)) {
      if (i === last && !complete) {
        torn = true
        continue
      }
      throw new Error(showDecodeError(r.left))
    }
    lines.push(r.right)
  }
  return { lines, torn }
}

/** The last finished iteration's state, or null when no iteration has finished. */
export const readState = (dir: string): RunState | null => {
  const p = runPaths(dir).state
  return existsSync(p) ? readJson(RunState, p, 'run state') : null
}

/** How many iterations a run state says have finished (0 before the first). */
export const finishedOf = (state: RunState | null): number => (state === null ? 0 : state.iteration + 1)

/** How many iterations of the run in `dir` have finished (0 for a new or empty directory). */
export const finishedIterations = (dir: string): number => finishedOf(readState(dir))

/** A memory snapshot. */
export const readMemory = (path: string): MemorySnapshot => readJson(MemorySnapshot, path, 'memory snapshot')

/** The final evaluation of a run, or null before it exists. */
export const readEvaluation = (dir: string): EvalSummary | null => {
  const p = runPaths(dir).evaluation
  return existsSync(p) ? readJson(EvalSummary, p, 'evaluation') : null
}

/**
 * Record a finished iteration: its memory (the checkpoint was written by `saveCheckpoint` to
 * `resumeCheckpoint(k)` before this call), then the metrics line, then the state — in that order.
 */
export const finishIteration = (
  dir: string,
  line: MetricsLine,
  memory: MemorySnapshot,
  state: RunState,
  keepSnapshot: boolean
): void => {
  const p = runPaths(dir)
  const mem = `${JSON.stringify(memory)}\n`
  writeFileAtomic(p.resumeMemory(line.iteration), mem)
  if (keepSnapshot) writeFileAtomic(p.memory(line.iteration), mem)
  appendLineDurable(p.metrics, JSON.stringify(line))
  writeFileAtomic(p.state, `${JSON.stringify(state)}\n`)
}

/**
 * Prepare a run directory to continue: the iteration to run next (0 when none finished) and the state
 * of the last finished one; metrics lines beyond it (and a torn last line) are removed, atomically, and
 * so are the temporary files of atomic writes a kill interrupted.
 */
export const resume = (dir: string): { readonly next: number; readonly state: RunState | null } => {
  const p = runPaths(dir)
  if (!existsSync(p.config)) throw new Error(`${dir} is not a run directory (no config.json)`)
  // a kill during an atomic write leaves its temporary file behind; this run is the only writer here
  for (const d of [dir, dirname(p.checkpoint(0)), dirname(p.memory(0))]) removeStaleTemps(d)
  const state = readState(dir)
  const { lines, torn } = readMetrics(dir)
  const keep = lines.filter((l) => state !== null && l.iteration <= state.iteration)
  // state.json is written after the metrics line, so every finished iteration has its line, in order
  const expected = finishedOf(state)
  const gap = keep.findIndex((l, i) => l.iteration !== i)
  if (keep.length !== expected || gap !== -1)
    throw new Error(
      `${p.metrics} does not match ${p.state}: the state says iterations 0–${expected - 1} finished, ` +
        (gap !== -1
          ? `but its line ${gap + 1} of finished iterations holds iteration ${(keep[gap] as MetricsLine).iteration}`
          : `but the file has ${keep.length} lines for them`) +
        '; the run directory was changed by hand — start a new run'
    )
  if (torn || keep.length !== lines.length)
    writeFileAtomic(p.metrics, keep.map((l) => `${JSON.stringify(l)}\n`).join(''))
  return { next: finishedOf(state), state }
}

/** Write the final evaluation (atomic). */
export const writeEvaluation = (dir: string, s: EvalSummary): void =>
  writeFileAtomic(runPaths(dir).evaluation, `${JSON.stringify(s, null, 2)}\n`)

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: the process exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Make this process the only writer of the run directory `dir` (created if needed) until the returned
 * release is called or the process exits. The lock is the file `run.lock` holding the writer's pid,
 * created whole or not at all (a complete temporary file hard-linked into place). A lock held by a
 * running process, this one included, is refused with an error naming the directory and the pid; a
 * lock left by a process that no longer runs (killed mid-run) is taken over, and `onTakeOver` is told
 * whose it was. Release removes the file only while it still holds this process's pid.
 */
export const lockRun = (dir: string, onTakeOver: (message: string) => void = () => {}): (() => void) => {
  mkdirSync(dir, { recursive: true })
  const path = runPaths(dir).lock
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${process.pid}\n`)
  try {
    for (;;) {
      try {
        linkSync(tmp, path)
        break
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      }
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10)
      if (Number.isInteger(holder) && alive(holder))
        throw new Error(
          `run directory ${dir} is being written by another process (pid ${holder}${holder === process.pid ? ', this one' : ''}); two writers would interleave its files: wait for it to finish, or stop it and use --resume`
        )
      onTakeOver(`${dir}: taking over the lock of pid ${holder}, which no longer runs (killed mid-run?)`)
      rmSync(path, { force: true })
    }
  } finally {
    rmSync(tmp, { force: true })
  }
  const release = (): void => {
    process.off('exit', release)
    if (existsSync(path) && readFileSync(path, 'utf8') === `${process.pid}\n`) rmSync(path, { force: true })
  }
  process.on('exit', release)
  return release
}
