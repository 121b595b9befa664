import { execFileSync } from 'node:child_process'

/** Whether `python3` runs here (the Python adapter tests are skipped without it). */
export const hasPython = ((): boolean => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
