/**
 * Checkpoints: the weights, the tokenizer and model config, and the optimiser state in one file,
 * written atomically (src/effects/fs.ts).
 *
 * Format (UTF-8 text, two lines):
 *   1. a header `{"format":"empo2-checkpoint","version":1,"bytes":<payload length>,"sha256":<hex>}`
 *   2. the payload, JSON: `{ config, params: [{ name, shape, data }], optimizer: null | { settings,
 *      step, m: [data…], v: [data…] } }` where `data` is base64 of little-endian float32 values.
 * Loading checks, in order, and names what failed: the header, the payload length (truncation), the
 * checksum (corruption), the model config (decoded; and equal to the expected one if given), then
 * every parameter's name, shape and length.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs-core'
import * as E from 'fp-ts/lib/Either.js'
import { decodeModelConfig, type ModelConfig } from '../../spec/model.ts'
import { showDecodeError } from '../../spec/codec.ts'
import { writeFileAtomic } from '../fs.ts'
import { mkTransformer, paramShapes, type Transformer } from './transformer.ts'
import type { Adam, AdamSettings } from './optimizer.ts'

const FORMAT = 'empo2-checkpoint'
const VERSION = 1

const toB64 = (t: tf.Tensor): string => {
  const f = t.dataSync() as Float32Array
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64')
}

const fromB64 = (s: string): Float32Array => {
  const b = Buffer.from(s, 'base64')
  if (b.byteLength % 4 !== 0) throw new Error('parameter data is not a whole number of float32 values')
  const out = new Float32Array(b.byteLength / 4)
  new Uint8Array(out.buffer).set(b)
  return out
}

/** Save a model (and optionally its optimiser) to `path`, atomically. */
export const saveCheckpoint = (path: string, model: Transformer, optimizer?: Adam): void => {
  const payload = JSON.stringify({
    config: model.config,
    params: model.params.map((p) => ({ name: p.name, shape: p.variable.shape, data: toB64(p.variable) })),
    optimizer:
      optimizer === undefined
        ? null
        : {
            settings: optimizer.settings,
            step: optimizer.step,
            m: optimizer.m.map(toB64),
            v: optimizer.v.map(toB64)
          }
  })
  const bytes = Buffer.byteLength(payload, 'utf8')
  const sha256 = createHash('sha256').update(payload, 'utf8').digest('hex')
  writeFileAtomic(path, `${JSON.stringify({ format: FORMAT, version: VERSION, bytes, sha256 })}\n${payload}`)
}

/** A loaded checkpoint. */
export interface Loaded {
  readonly model: Transformer
  /** The optimiser state, if it was saved: build the optimiser with {@link restoreAdam}. */
  readonly optimizer: {
    readonly settings: AdamSettings
    readonly step: number
    readonly m: ReadonlyArray<Float32Array>
    readonly v: ReadonlyArray<Float32Array>
  } | null
}

const fail = (path: string, why: string): never => {
  throw new Error(`checkpoint ${path} rejected: ${why}`)
}

const sameConfig = (a: ModelConfig, b: ModelConfig): string | null => {
  const diffs: string[] = []
  const walk = (x: unknown, y: unknown, at: string): void => {
    if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null) {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)])
      for (const k of keys)
        walk(
          (x as Record<string, unknown>)[k],
          (y as Record<string, unknown>)[k],
          at === '' ? k : `${at}.${k}`
        )
    } else if (x !== y)
      diffs.push(`${at}: checkpoint has ${JSON.stringify(x)}, expected ${JSON.stringify(y)}`)
  }
  walk(a, b, '')
  return diffs.length === 0 ? null : diffs.join('; ')
}

/**
 * Load a checkpoint. With `expect`, the checkpoint's model config must equal it. Throws an `Error`
 * whose message names the file and what was wrong.
 */
export const loadCheckpoint = (path: string, expect?: ModelConfig): Loaded => {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    return fail(path, `cannot read it (${e instanceof Error ? e.message : String(e)})`)
  }
  const nl = text.indexOf('\n')
  if (nl < 0) return fail(path, 'no header line (not a checkpoint, or truncated)')
  let header: { format?: unknown; version?: unknown; bytes?: unknown; sha256?: unknown }
  try {
    header = JSON.parse(text.slice(0, nl)) as typeof header
  } catch {
    return fail(path, 'the header line is not JSON (not a checkpoint, or corrupt)')
  }
  if (header.format !== FORMAT)
    return fail(path, `format is ${JSON.stringify(header.format)}, expected "${FORMAT}"`)
  if (header.version !== VERSION)
    return fail(path, `version ${JSON.stringify(header.version)} is not supported (expected ${VERSION})`)
  const payload = text.slice(nl + 1)
  const bytes = Buffer.byteLength(payload, 'utf8')
  if (bytes !== header.bytes)
    return fail(
      path,
      `truncated or extended: the payload has ${bytes} bytes, the header says ${String(header.bytes)}`
    )
  if (createHash('sha256').update(payload, 'utf8').digest('hex') !== header.sha256)
    return fail(path, 'checksum mismatch: the payload is corrupt')
  const body = JSON.parse(payload) as {
    config: unknown
    params: { name: string; shape: number[]; data: string }[]
    optimizer: { settings: AdamSettings; step: number; m: string[]; v: string[] } | null
  }
  const decoded = decodeModelConfig(body.config)
  if (E.isLeft(decoded)) return fail(path, showDecodeError(decoded.left))
  const config = decoded.right
  if (expect !== undefined) {
    const d = sameConfig(config, expect)
    if (d !== null) return fail(path, `model config mismatch: ${d}`)
  }
  const shapes = paramShapes(config)
  if (body.params.length !== shapes.length)
    return fail(path, `has ${body.params.length} parameters, the config needs ${shapes.length}`)
  const values = shapes.map(([name, shape], i) => {
    const p = body.params[i] as { name: string; shape: number[]; data: string }
    if (p.name !== name) return fail(path, `parameter ${i} is "${p.name}", expected "${name}"`)
    if (p.shape.join(',') !== shape.join(','))
      return fail(path, `parameter ${name} has shape [${p.shape.join(', ')}], expected [${shape.join(', ')}]`)
    const v = fromB64(p.data)
    if (v.length !== shape.reduce((a, b) => a * b, 1))
      return fail(
        path,
        `parameter ${name} has ${v.length} values, expected ${shape.reduce((a, b) => a * b, 1)}`
      )
    return v
  })
  const opt = body.optimizer
  if (opt !== null && (opt.m.length !== shapes.length || opt.v.length !== shapes.length))
    return fail(
      path,
      `optimiser state has ${opt.m.length}/${opt.v.length} moments, expected ${shapes.length}`
    )
  return {
    model: mkTransformer(config, values),
    optimizer:
      opt === null
        ? null
        : { settings: opt.settings, step: opt.step, m: opt.m.map(fromB64), v: opt.v.map(fromB64) }
  }
}

/** An optimiser over `model`'s parameters with the saved state. */
export const restoreAdam = (model: Transformer, saved: NonNullable<Loaded['optimizer']>): Adam => {
  const vars = model.params.map((p) => p.variable)
  const mk = (xs: ReadonlyArray<Float32Array>) =>
    vars.map((x, i) => tf.variable(tf.tensor(xs[i] as Float32Array, x.shape, 'float32'), false))
  return { settings: saved.settings, vars, m: mk(saved.m), v: mk(saved.v), step: saved.step }
}
