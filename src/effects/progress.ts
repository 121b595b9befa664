/**
 * Progress for long work: a `cli-progress` bar with ETA and a few named values when stderr is a
 * terminal; otherwise one plain line per update (at most one every `minIntervalMs`, and always the
 * last), so logs stay readable; nothing at all when `silent` (e.g. `--json`).
 */
import cliProgress from 'cli-progress'

/** A progress reporter for `total` units of work. */
export interface Progress {
  readonly update: (done: number, values?: Readonly<Record<string, string | number>>) => void
  readonly log: (line: string) => void
  readonly stop: () => void
}

const show = (values: Readonly<Record<string, string | number>>): string =>
  Object.entries(values)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(3)) : v}`)
    .join('  ')

const eta = (seconds: number): string =>
  !Number.isFinite(seconds)
    ? '?'
    : seconds >= 60
      ? `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s`
      : `${Math.round(seconds)}s`

/** A progress reporter labelled `label`. */
export const mkProgress = (
  label: string,
  total: number,
  opts: { readonly silent?: boolean; readonly minIntervalMs?: number } = {}
): Progress => {
  if (opts.silent === true) return { update: () => undefined, log: () => undefined, stop: () => undefined }
  const write = (line: string) => process.stderr.write(`${line}\n`)
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted} | {values}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 5
      },
      cliProgress.Presets.shades_classic
    )
    let at = 0
    let shown = ''
    bar.start(total, 0, { values: '' })
    return {
      update: (done, values = {}) => {
        at = done
        shown = show(values)
        bar.update(done, { values: shown })
      },
      log: (line) => {
        bar.stop()
        write(line)
        bar.start(total, at, { values: shown })
      },
      stop: () => bar.stop()
    }
  }
  const start = Date.now()
  let last = 0
  return {
    update: (done, values = {}) => {
      const t = Date.now()
      if (done < total && t - last < (opts.minIntervalMs ?? 10_000)) return
      last = t
      const elapsed = (t - start) / 1000
      const left = done > 0 ? (elapsed / done) * (total - done) : NaN
      write(`${label} ${done}/${total}  eta ${eta(left)}  ${show(values)}`)
    },
    log: write,
    stop: () => undefined
  }
}
