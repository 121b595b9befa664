/**
 * The paper's benchmarks attached through the process bridge: each constructor starts the Python
 * bridge program under `adapters/` (which drives the simulator the user installed) and returns a
 * {@link BridgeEnvironment}. These cannot run in CI (they need Python packages, data downloads and
 * Java); their protocol side is the same code the embedded suite is tested through, and
 * `adapters/bridge_common.py` is tested with a toy adapter, `adapters/scienceworld_bridge.py`
 * against a fake `scienceworld` package. See docs/environments.md.
 *
 * @since 0.1.0
 */
import { fileURLToPath } from 'node:url'
import { bridgeClient } from './bridge.ts'
import type { BridgeEnvironment } from './bridge.ts'

/**
 * Options shared by the benchmark adapters.
 *
 * @since 0.1.0
 * @category model
 */
export interface AdapterOptions {
  /** The Python interpreter (default `python3`). */
  readonly python?: string
  /** Extra command-line arguments for the bridge program (see its --help). */
  readonly args?: ReadonlyArray<string>
  readonly timeoutMs?: number
  readonly resetTimeoutMs?: number
  readonly cwd?: string
  /** The child's environment (default: this process's), e.g. to set `PYTHONPATH`. */
  readonly env?: NodeJS.ProcessEnv
}

const script = (name: string): string => fileURLToPath(new URL(`../../../adapters/${name}`, import.meta.url))

const adapter =
  (name: string, file: string) =>
  (opts: AdapterOptions = {}): BridgeEnvironment =>
    bridgeClient({
      name,
      command: [opts.python ?? 'python3', script(file), ...(opts.args ?? [])],
      timeoutMs: opts.timeoutMs ?? 30_000,
      resetTimeoutMs: opts.resetTimeoutMs ?? 120_000,
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      ...(opts.env === undefined ? {} : { env: opts.env })
    })

/**
 * ScienceWorld (`pip install scienceworld`, Java 8+): adapters/scienceworld_bridge.py. Its `--help`
 * gives the options (`--max-actions`, `--step-limit`, `--train-per-task`, `--test-per-task`, …) and
 * the rule by which the admissible actions are capped.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scienceWorld = adapter('scienceworld', 'scienceworld_bridge.py')

/**
 * ALFWorld (`pip install alfworld[full]`, `alfworld-download`; pass `--config`):
 * adapters/alfworld_bridge.py.
 *
 * @since 0.1.0
 * @category constructors
 */
export const alfWorld = adapter('alfworld', 'alfworld_bridge.py')

/**
 * WebShop (a WebShop checkout set up with its setup.sh; run with `cwd` at the checkout):
 * adapters/webshop_bridge.py.
 *
 * @since 0.1.0
 * @category constructors
 */
export const webShop = adapter('webshop', 'webshop_bridge.py')
