/**
 * Crash-safe file writes: write a temporary file in the same directory, flush it to disk, rename it
 * over the target (atomic on POSIX file systems), then flush the directory. A reader sees the old
 * file or the new one, never a torn one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname, basename, join } from 'node:path'

/** Write `data` to `path` atomically, creating parent directories. */
export const writeFileAtomic = (path: string, data: string | Uint8Array): void => {
  const dir = dirname(path)
  mkdirSync(dir, { recursive: true })
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.floor(performance.now() * 1000)}.tmp`)
  try {
    const fd = openSync(tmp, 'w')
    try {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
      let off = 0
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
  try {
    const dfd = openSync(dir, 'r')
    try {
      fsyncSync(dfd)
    } finally {
      closeSync(dfd)
    }
  } catch {
    // some file systems do not allow fsync on a directory; the rename is still atomic
  }
}

/** Append one line to a log (JSON-lines) and flush it, so a finished record survives a crash. */
export const appendLineDurable = (path: string, line: string): void => {
  mkdirSync(dirname(path), { recursive: true })
  const fd = openSync(path, 'a')
  try {
    writeSync(fd, line.endsWith('\n') ? line : `${line}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
