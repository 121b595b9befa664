/**
 * Argument parsers shared by the CLI's commands: each rejects a bad value with commander's
 * `InvalidArgumentError`, whose message names what was expected.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { InvalidArgumentError } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { Method, parseEnvSpec, type EnvSpec } from '../spec/run.ts'
import { MemoryScope } from '../spec/config.ts'
import { parseRenaming, type Renaming } from '../core/env/rename.ts'
import { backendOrder, type BackendName } from '../effects/tensor/backend.ts'

/** An integer in `[min, max]`. */
export const intArg =
  (min: number, max: number = Number.MAX_SAFE_INTEGER) =>
  (v: string): number => {
    const n = Number(v)
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer in [${min}, ${max}], got "${v}"`)
    return n
  }

/** A positive finite number. */
export const positiveArg = (v: string): number => {
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive number, got "${v}"`)
  return n
}

/** A number in `[0, 1]`. */
export const shareArg = (v: string): number => {
  const n = Number(v)
  if (v.trim() === '' || !(n >= 0 && n <= 1))
    throw new InvalidArgumentError(`expected a number in [0, 1], got "${v}"`)
  return n
}

/** A training method. */
export const methodArg = (v: string): Method => {
  if (!Method.is(v))
    throw new InvalidArgumentError(`unknown method "${v}"; known: ${Object.keys(Method.keys).join(', ')}`)
  return v
}

/** An environment: `suite`, `zmachine:<game>`, `bridge:<command>`, `scienceworld|alfworld|webshop[:<args>]`. */
export const envArg = (v: string): EnvSpec => {
  const e = parseEnvSpec(v)
  if (E.isLeft(e)) throw new InvalidArgumentError(e.left)
  // a game file is recorded by its absolute path, so a run resumes from any directory
  return e.right.kind === 'zmachine' ? { ...e.right, game: resolve(e.right.game) } : e.right
}

/** A memory scope. */
export const scopeArg = (v: string): MemoryScope => {
  if (!MemoryScope.is(v))
    throw new InvalidArgumentError(
      `unknown memory scope "${v}"; known: ${Object.keys(MemoryScope.keys).join(', ')}`
    )
  return v
}

/** A comma-separated list of methods. */
export const methodsArg = (v: string): ReadonlyArray<Method> => v.split(',').map((m) => methodArg(m.trim()))

/** A comma-separated list of seeds. */
export const seedsArg = (v: string): ReadonlyArray<number> =>
  v.split(',').map((s) => intArg(0, 2 ** 32 - 1)(s.trim()))

/** An algorithm preset. */
export const presetArg = (v: string): 'paper' | 'official' => {
  if (v !== 'paper' && v !== 'official')
    throw new InvalidArgumentError(`expected paper or official, got "${v}"`)
  return v
}

/** A tensor backend. */
export const backendArg = (v: string): BackendName => {
  if (!(backendOrder as ReadonlyArray<string>).includes(v))
    throw new InvalidArgumentError(`unknown backend "${v}"; known: ${backendOrder.join(', ')}`)
  return v as BackendName
}

/** A word renaming `from=to,…` for the suite (src/core/env/rename.ts). */
export const renameArg = (v: string): Renaming => {
  const r = parseRenaming(v)
  if (E.isLeft(r)) throw new InvalidArgumentError(r.left)
  return r.right
}

/** A run name: letters, digits, `.`, `_`, `-` (it becomes a directory name). */
export const nameArg = (v: string): string => {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/u.test(v))
    throw new InvalidArgumentError(`a run name is letters, digits, ".", "_" and "-", got "${v}"`)
  return v
}

/** The JSON overrides file given to `--config`: its parsed contents, or an error naming the file. */
export const readOverrides = (path: string): unknown => {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new Error(`--config ${path}: cannot read it (${e instanceof Error ? e.message : String(e)})`)
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new Error(`--config ${path}: not JSON (${e instanceof Error ? e.message : String(e)})`)
  }
}
