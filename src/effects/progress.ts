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

/** Seconds as `1m5s` / `42s` (rounded to whole seconds first, so never `1m60s`); `?` if unknown. */
export const formatEta = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return '?'
  const s = Math.round(seconds)
  return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`
}

/** A progress reporter labelled `label`. */
export const mkProgress = (
  label: string,
  total: number,
  opts: {
    readonly silent?: boolean
    readonly minIntervalMs?: number
    /** Where to report (default `process.stderr`); a bar only if it is a terminal. */
    readonly stream?: Pick<NodeJS.WriteStream, 'write' | 'isTTY'>
    /** The clock in milliseconds (default `Date.now`). */
    readonly now?: () => number
    /** Work already done before this process started (a resumed run, reused runs): shown as done, left out of the ETA's rate. */
    readonly initial?: number
  } = {}
): Progress => {
  const initial = opts.initial ?? 0
  if (opts.silent === true) return { update: () => undefined, log: () => undefined, stop: () => undefined }
  const stream = opts.stream ?? process.stderr
  const now = opts.now ?? Date.now
  const write = (line: string) => stream.write(`${line}\n`)
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted} | {values}`,
        stream: stream as NodeJS.WriteStream,
        hideCursor: true,
        etaBuffer: 5
      },
      cliProgress.Presets.shades_classic
    )
    let at = initial
    let shown = ''
    bar.start(total, initial, { values: '' })
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
  const start = now()
  let last = -Infinity
  return {
    update: (done, values = {}) => {
      const t = now()
      if (done < total && t - last < (opts.minIntervalMs ?? 10_000)) return
      last = t
      const elapsed = (t - start) / 1000
      const left = done > initial ? (elapsed / (done - initial)) * (total - done) : NaN
      write(`${label} ${done}/${total}  eta ${formatEta(left)}  ${show(values)}`)
    },
    log: write,
    stop: () => undefined
  }
}
