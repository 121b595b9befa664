/**
 * Backend selection for tfjs. Tried in order: `tensorflow` via `@tensorflow/tfjs-node-gpu`,
 * `tensorflow` via `@tensorflow/tfjs-node` (both optional native packages), `wasm`
 * (`@tensorflow/tfjs-backend-wasm`, its `.wasm` files loaded from node_modules), then `cpu` (pure
 * JavaScript). `EMPO2_BACKEND` (or a `--backend` CLI flag, see {@link backendFromArgv}) chooses one
 * explicitly: `node-gpu | node | wasm | cpu`. The backend in use is logged once, with the reason every
 * earlier one was skipped.
 */
import * as tf from '@tensorflow/tfjs-core'
import './grad.ts'

export type BackendName = 'node-gpu' | 'node' | 'wasm' | 'cpu'
export const backendOrder: ReadonlyArray<BackendName> = ['node-gpu', 'node', 'wasm', 'cpu']

export interface BackendChoice {
  readonly name: BackendName
  /** The tfjs backend id (`tensorflow`, `wasm`, `cpu`). */
  readonly tfBackend: string
  /** Why each earlier candidate was not used. */
  readonly skipped: ReadonlyArray<{ readonly name: BackendName; readonly reason: string }>
}

const isBackendName = (s: string): s is BackendName => (backendOrder as ReadonlyArray<string>).includes(s)

/** The backend named by `--backend <name>` or `--backend=<name>` in argv, if any. */
export const backendFromArgv = (argv: ReadonlyArray<string>): BackendName | undefined => {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    const v = a === '--backend' ? argv[i + 1] : a.startsWith('--backend=') ? a.slice(10) : undefined
    if (v !== undefined) {
      if (!isBackendName(v))
        throw new Error(`--backend: unknown backend "${v}"; known: ${backendOrder.join(', ')}`)
      return v
    }
  }
  return undefined
}

const message = (e: unknown): string => (e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e))

// tfjs answers null for a backend no package registered, which its declared type leaves out
const backendFactory = tf.findBackendFactory as (name: string) => (() => unknown) | null

// importing by a variable keeps TypeScript from resolving optional packages that may be absent
const importOptional = async (name: string): Promise<unknown> => import(name)

const tryOne = async (name: BackendName): Promise<string> => {
  switch (name) {
    case 'node-gpu':
    case 'node': {
      const pkg = name === 'node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node'
      await importOptional(pkg)
      // tfjs-node registers 'tensorflow' on the tfjs-core it depends on; it must be this one
      if (backendFactory('tensorflow') === null)
        throw new Error(`${pkg} loaded but registered no backend on this copy of @tensorflow/tfjs-core`)
      if (!(await tf.setBackend('tensorflow'))) throw new Error('setBackend("tensorflow") returned false')
      return 'tensorflow'
    }
    case 'wasm': {
      await importOptional('@tensorflow/tfjs-backend-wasm')
      if (!(await tf.setBackend('wasm'))) throw new Error('setBackend("wasm") returned false')
      return 'wasm'
    }
    case 'cpu': {
      await importOptional('@tensorflow/tfjs-backend-cpu')
      if (!(await tf.setBackend('cpu'))) throw new Error('setBackend("cpu") returned false')
      return 'cpu'
    }
  }
}

let current: Promise<BackendChoice> | undefined

/**
 * Select and initialise the backend (once per process; later calls return the first choice unless
 * `force` is set). `prefer` (else `EMPO2_BACKEND`) names one backend: it is then the only one tried,
 * and its failure is an error. `log` receives one line (default: stderr).
 */
export const selectBackend = (
  options: {
    readonly prefer?: BackendName
    readonly log?: (line: string) => void
    readonly force?: boolean
  } = {}
): Promise<BackendChoice> => {
  if (current !== undefined && options.force !== true) return current
  const env = process.env['EMPO2_BACKEND']
  if (options.prefer === undefined && env !== undefined && env !== '' && !isBackendName(env))
    return Promise.reject(
      new Error(`EMPO2_BACKEND: unknown backend "${env}"; known: ${backendOrder.join(', ')}`)
    )
  const explicit = options.prefer ?? (env !== undefined && isBackendName(env) ? env : undefined)
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  current = (async () => {
    const skipped: { name: BackendName; reason: string }[] = []
    for (const name of explicit !== undefined ? [explicit] : backendOrder) {
      try {
        const tfBackend = await tryOne(name)
        await tf.ready()
        const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')
        log(
          `[empo2] tensor backend: ${name}${explicit !== undefined ? ' (chosen explicitly)' : ''}${why === '' ? '' : ` (skipped ${why})`}`
        )
        return { name, tfBackend, skipped }
      } catch (e) {
        if (explicit !== undefined) throw new Error(`backend ${name} was requested but failed: ${message(e)}`)
        skipped.push({ name, reason: message(e) })
      }
    }
    throw new Error(
      `no tensor backend could be initialised: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`
    )
  })()
  return current
}
