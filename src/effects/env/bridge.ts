/**
 * The process bridge: an {@link Environment} in another process (any language) attached through a
 * versioned JSON-lines protocol over stdio (src/spec/env.ts `BridgeRequest` / `BridgeResponse`,
 * version {@link protocolVersion}). Both directions are validated with io-ts. Every call has a
 * timeout; a child that crashes, hangs, or speaks a wrong protocol ends the episode with the reason
 * in `info.error`, the child's whole process group is killed, and the next `reset` starts a fresh
 * child, so training goes on. `close` leaves no process behind.
 *
 * `serveBridge` is the server side, used to serve any {@link Environment} (the embedded suite in
 * `serveSuite.ts`, a test fake, …) from a Node process.
 *
 * @since 0.1.0
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import * as E from 'fp-ts/lib/Either.js'
import { BridgeRequest, BridgeResponse, ResetRequest, protocolVersion } from '../../spec/env.ts'
import type { Environment } from '../../spec/env.ts'
import { NonNegativeInt, nonNegativeInt } from '../../spec/brands.ts'
import { formatErrors } from '../../spec/codec.ts'
import { failedStep } from './inProcess.ts'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How to start and talk to a bridge child.
 *
 * @since 0.1.0
 * @category model
 */
export interface BridgeOptions {
  /** A name for messages and metrics. */
  readonly name: string
  /** The program and its arguments, e.g. `['python3', 'adapters/scienceworld_bridge.py']`. */
  readonly command: ReadonlyArray<string>
  /** Per-call timeout for `step` and `tasks`, in ms (default 10 000). */
  readonly timeoutMs?: number
  /** Timeout for `reset`, which may start a simulator (default 60 000). */
  readonly resetTimeoutMs?: number
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
}

/**
 * What the client knows about the child, for tests and diagnostics.
 *
 * @since 0.1.0
 * @category model
 */
export interface BridgeEnvironment extends Environment {
  /** The pid of the running child (its process-group id too), if one is running. */
  readonly pid: () => number | undefined
  /** The errors recorded so far (crash, timeout, protocol), oldest first. */
  readonly errors: () => ReadonlyArray<string>
}

interface Live {
  readonly child: ChildProcess
  readonly pending: Map<number, (r: E.Either<string, BridgeResponse>) => void>
  readonly exited: Promise<void>
  stderrTail: string
  dead: boolean
  closing: boolean
}

// -------------------------------------------------------------------------------------
// client
// -------------------------------------------------------------------------------------

const killGroup = (child: ChildProcess): void => {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    try {
      child.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
}

/**
 * An {@link Environment} served by a child process over the JSON-lines bridge.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bridgeClient = (opts: BridgeOptions): BridgeEnvironment => {
  const timeoutMs = opts.timeoutMs ?? 10_000
  const resetTimeoutMs = opts.resetTimeoutMs ?? 60_000
  const errors: string[] = []
  let live: Live | undefined
  let nextId = 0
  let inEpisode = false
  let lastScore = 0
  let closed = false

  const fail = (l: Live, reason: string): void => {
    if (!l.dead) {
      l.dead = true
      if (!l.closing) errors.push(reason)
      killGroup(l.child)
    }
    for (const [, resolve] of l.pending) resolve(E.left(reason))
    l.pending.clear()
    if (live === l) live = undefined
  }

  const startChild = (): Live => {
    const [cmd, ...args] = opts.command
    if (cmd === undefined) throw new Error(`${opts.name}: empty command`)
    // its own process group, so that grandchildren (a JVM behind a Python bridge) die with it
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true
    })
    let markExited: () => void = () => {}
    const l: Live = {
      child,
      pending: new Map(),
      exited: new Promise((res) => (markExited = res)),
      stderrTail: '',
      dead: false,
      closing: false
    }
    child.on('exit', (code, signal) => {
      markExited()
      fail(
        l,
        `${opts.name}: child exited (code ${code}, signal ${signal})${l.stderrTail === '' ? '' : `; stderr: ${l.stderrTail.trim()}`}`
      )
    })
    child.on('error', (e) => {
      markExited()
      fail(l, `${opts.name}: cannot run ${opts.command.join(' ')}: ${e.message}`)
    })
    child.stdin.on('error', () => {}) // EPIPE after a crash is reported by 'exit'
    child.stderr.on('data', (d: Buffer) => {
      l.stderrTail = (l.stderrTail + d.toString()).slice(-500)
    })
    const rl = createInterface({ input: child.stdout })
    rl.on('line', (line) => {
      let json: unknown
      try {
        json = JSON.parse(line)
      } catch {
        return // not protocol output (a library printing): ignored
      }
      if (typeof json !== 'object' || json === null || !('v' in json)) return
      const r = BridgeResponse.decode(json)
      if (E.isLeft(r)) {
        fail(l, `${opts.name}: protocol error: ${formatErrors(r.left).join('; ')}`)
        return
      }
      const id = r.right.id
      const resolve = id === null ? undefined : l.pending.get(id)
      if (id !== null && resolve !== undefined) {
        l.pending.delete(id)
        resolve(E.right(r.right))
      } else if (id === null && r.right.type === 'error') {
        fail(l, `${opts.name}: server error: ${r.right.message}`)
      }
    })
    return l
  }

  const call = (req: BridgeRequest, ms: number): Promise<E.Either<string, BridgeResponse>> => {
    if (closed) return Promise.resolve(E.left(`${opts.name}: closed`))
    if (!BridgeRequest.is(req))
      return Promise.resolve(E.left(`${opts.name}: invalid request ${JSON.stringify(req)}`))
    let l: Live
    try {
      l = live ?? (live = startChild())
    } catch (e) {
      return Promise.resolve(E.left(String(e)))
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => fail(l, `${opts.name}: no answer to ${req.type} within ${ms} ms`), ms)
      l.pending.set(req.id, (r) => {
        clearTimeout(timer)
        resolve(r)
      })
      l.child.stdin?.write(`${JSON.stringify(BridgeRequest.encode(req))}\n`)
    })
  }

  const id = (): NonNegativeInt => nonNegativeInt(nextId++)
  const v = protocolVersion

  return {
    name: opts.name,
    pid: () => live?.child.pid,
    errors: () => [...errors],
    tasks: async () => {
      const r = await call({ v, id: id(), type: 'tasks' }, timeoutMs)
      if (E.isLeft(r)) throw new Error(r.left)
      if (r.right.type !== 'tasks') throw new Error(`${opts.name}: expected tasks, got ${r.right.type}`)
      return r.right.tasks
    },
    reset: async (req) => {
      if (!ResetRequest.is(req))
        return E.left({ _tag: 'EnvError', message: `${opts.name}: invalid reset request` })
      inEpisode = false
      const r = await call(
        { v, id: id(), type: 'reset', task: req.task, variant: req.variant, seed: req.seed },
        resetTimeoutMs
      )
      if (E.isLeft(r)) return E.left({ _tag: 'EnvError', message: r.left })
      if (r.right.type === 'error')
        return E.left({ _tag: 'EnvError', message: `${opts.name}: ${r.right.message}` })
      if (r.right.type !== 'reset')
        return E.left({ _tag: 'EnvError', message: `${opts.name}: expected reset, got ${r.right.type}` })
      inEpisode = true
      lastScore = r.right.result.score
      return E.right(r.right.result)
    },
    step: async (action) => {
      if (!inEpisode) return failedStep(`${opts.name}: step outside an episode`, lastScore)
      const r = await call({ v, id: id(), type: 'step', action }, timeoutMs)
      if (E.isLeft(r)) {
        inEpisode = false
        return failedStep(r.left, lastScore)
      }
      if (r.right.type !== 'step') {
        inEpisode = false
        return failedStep(
          `${opts.name}: ${r.right.type === 'error' ? r.right.message : `expected step, got ${r.right.type}`}`,
          lastScore
        )
      }
      lastScore = r.right.result.score
      return r.right.result
    },
    close: async () => {
      const l = live
      if (l !== undefined && !l.dead) {
        l.closing = true // a requested close is not an error
        await call({ v, id: id(), type: 'close' }, 2000)
        fail(l, `${opts.name}: closed`)
      }
      closed = true
      inEpisode = false
      if (l !== undefined) await Promise.race([l.exited, new Promise((res) => setTimeout(res, 2000))])
    }
  }
}

// -------------------------------------------------------------------------------------
// server
// -------------------------------------------------------------------------------------

/**
 * Serve `env` over the bridge: read requests line by line from `input`, answer on `output`, one
 * at a time, in order. Lines that do not decode get an `error` response naming the problem (with
 * the request's id when it can be read). Resolves after `close` or the end of `input`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const serveBridge = async (env: Environment, input: Readable, output: Writable): Promise<void> => {
  const send = (r: BridgeResponse): void => {
    output.write(`${JSON.stringify(BridgeResponse.encode(r))}\n`)
  }
  const rl = createInterface({ input })
  for await (const line of rl) {
    if (line.trim() === '') continue
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      send({ v: protocolVersion, id: null, type: 'error', message: `not JSON: ${line.slice(0, 80)}` })
      continue
    }
    const d = BridgeRequest.decode(json)
    if (E.isLeft(d)) {
      const rawId = (json as { id?: unknown } | null)?.id
      const id = NonNegativeInt.is(rawId) ? rawId : null
      send({
        v: protocolVersion,
        id,
        type: 'error',
        message: `invalid request: ${formatErrors(d.left).join('; ')}`
      })
      continue
    }
    const req = d.right
    try {
      switch (req.type) {
        case 'tasks':
          send({ v: protocolVersion, id: req.id, type: 'tasks', tasks: await env.tasks() })
          break
        case 'reset': {
          const r = await env.reset({ task: req.task, variant: req.variant, seed: req.seed })
          send(
            E.isLeft(r)
              ? { v: protocolVersion, id: req.id, type: 'error', message: r.left.message }
              : { v: protocolVersion, id: req.id, type: 'reset', result: r.right }
          )
          break
        }
        case 'step':
          send({ v: protocolVersion, id: req.id, type: 'step', result: await env.step(req.action) })
          break
        case 'close':
          await env.close()
          send({ v: protocolVersion, id: req.id, type: 'closed' })
          rl.close()
          return
      }
    } catch (e) {
      send({ v: protocolVersion, id: req.id, type: 'error', message: String(e) })
    }
  }
  await env.close()
}
