/**
 * Files that must survive a crash. A whole file is written to a temporary file in the same
 * directory, flushed to disk, then renamed over the target (rename is atomic on POSIX file systems),
 * and the directory is flushed so the rename itself is durable: a reader sees the old file or the
 * new one, never a part. A log line is appended and flushed before the call returns.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { createHash, randomBytes } from 'node:crypto'

const writeAll = (fd: number, data: string | Uint8Array): void => {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  let off = 0
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off)
  fsyncSync(fd)
}

/** The temporary name {@link writeFileAtomic} uses: `.<name>.<pid>.<8 hex digits>.tmp`. */
const isTemp = (name: string): boolean => /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/.test(name)

/**
 * Remove the temporary files a killed {@link writeFileAtomic} left in `dir` (not recursive; a missing
 * directory is fine). Only for a directory no other process is writing to. Returns the names removed.
 */
export const removeStaleTemps = (dir: string): ReadonlyArray<string> => {
  if (!existsSync(dir)) return []
  const stale = readdirSync(dir).filter(isTemp)
  for (const name of stale) rmSync(join(dir, name), { force: true })
  return stale
}

/** Write `data` to `path` atomically, creating the directory if needed. */
export const writeFileAtomic = (path: string, data: string | Uint8Array): void => {
  const dir = dirname(path)
  mkdirSync(dir, { recursive: true })
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const fd = openSync(tmp, 'w', 0o644)
    try {
      writeAll(fd, data)
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
    // some file systems refuse fsync on a directory; the rename has happened either way
  }
}

/** Append one line (a newline is added if missing) and flush it to disk before returning. */
export const appendLineDurable = (path: string, line: string): void => {
  mkdirSync(dirname(path), { recursive: true })
  const fd = openSync(path, 'a', 0o644)
  try {
    writeAll(fd, line.endsWith('\n') ? line : `${line}\n`)
  } finally {
    closeSync(fd)
  }
}

/** The SHA-256 of a file's bytes, in hex (what a run records of the prior it started from). */
export const fileSha256 = (path: string): string =>
  createHash('sha256').update(readFileSync(path)).digest('hex')
