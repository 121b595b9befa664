/**
 * The JSON-lines process bridge: the embedded suite served by a real child process gives the same
 * transcript as in process; invalid messages get error responses; a crashing or hanging child ends
 * the episode with a recorded error, the next reset works again, and no process is left behind.
 */
import { hasPython } from '../../support/python.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { bridgeClient, serveBridge } from '../../../src/effects/env/bridge.ts'
import { embeddedSuite } from '../../../src/effects/env/inProcess.ts'
import { familyByName } from '../../../src/core/env/families.ts'
import { protocolVersion } from '../../../src/spec/env.ts'
import type { Environment, ResetRequest, StepResult } from '../../../src/spec/env.ts'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))
const root = here('../../../')
const tsNode = (script: string): ReadonlyArray<string> => [process.execPath, '--import', 'tsx', script]

const alive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
const waitDead = async (pid: number | undefined, ms = 3000): Promise<boolean> => {
  for (let t = 0; t < ms; t += 50) {
    if (!alive(pid)) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return !alive(pid)
}

const transcript = async (env: Environment, req: ResetRequest, actions: ReadonlyArray<string>) => {
  const r = await env.reset(req)
  assert.ok(E.isRight(r), E.isLeft(r) ? r.left.message : '')
  const steps: StepResult[] = []
  for (const a of actions) steps.push(await env.step(a))
  return { first: r.right, steps }
}

test('the embedded suite served by a child process plays exactly as in process, and close leaves no process', async () => {
  const child = bridgeClient({
    name: 'suite',
    command: tsNode(here('../../../src/effects/env/serveSuite.ts')),
    cwd: root
  })
  const local = embeddedSuite()
  try {
    const tasks = await child.tasks()
    assert.deepEqual(tasks, await local.tasks())
    for (const [task, variant] of [
      ['measure', 7],
      ['make-paint', 2],
      ['deliver', 11]
    ] as const) {
      const f = familyByName(task)
      assert.ok(f !== undefined)
      const plan = [...f.oracle(f.generate(variant)), 'dance wildly', '']
      const req = { task, variant, seed: 99 } as ResetRequest
      const a = await transcript(child, req, ['xyzzy', ...plan])
      const b = await transcript(local, req, ['xyzzy', ...plan])
      assert.deepEqual(a, b)
      assert.equal(a.steps.find((s) => s.done)?.score, 100)
    }
    const bad = await child.reset({ task: 'nope', variant: 0, seed: 0 } as ResetRequest)
    assert.ok(E.isLeft(bad) && /unknown task/.test(bad.left.message))
  } finally {
    const pid = child.pid()
    await child.close()
    assert.ok(await waitDead(pid), 'child still alive after close')
    assert.deepEqual(child.errors(), [])
  }
})

test('the server answers malformed, unknown-version and ill-typed requests with errors, and keeps serving', async () => {
  const input = new PassThrough()
  const output = new PassThrough()
  const lines: string[] = []
  output.on('data', (d: Buffer) =>
    lines.push(
      ...d
        .toString()
        .split('\n')
        .filter((l) => l !== '')
    )
  )
  const served = serveBridge(embeddedSuite(), input, output)
  input.write('not json\n')
  input.write(`${JSON.stringify({ v: 2, id: 1, type: 'tasks' })}\n`)
  input.write(
    `${JSON.stringify({ v: protocolVersion, id: 2, type: 'reset', task: 'collect', variant: -1, seed: 0 })}\n`
  )
  input.write(
    `${JSON.stringify({ v: protocolVersion, id: 3, type: 'reset', task: 'collect', variant: 0, seed: 0 })}\n`
  )
  input.write(`${JSON.stringify({ v: protocolVersion, id: 4, type: 'close' })}\n`)
  await served
  const msgs = lines.map((l) => JSON.parse(l) as { id: number | null; type: string; message?: string })
  assert.deepEqual(
    msgs.map((m) => [m.id, m.type]),
    [
      [null, 'error'],
      [1, 'error'],
      [2, 'error'],
      [3, 'reset'],
      [4, 'closed']
    ]
  )
  assert.match(msgs[2]?.message ?? '', /variant/)
})

test('a crashing child ends the episode with a recorded error; the next reset starts a fresh child', async () => {
  const env = bridgeClient({
    name: 'crash',
    command: tsNode(here('./fixtures/crash.ts')),
    cwd: root,
    timeoutMs: 5000
  })
  try {
    const r = await env.reset({ task: 'x', variant: 0, seed: 0 } as ResetRequest)
    assert.ok(E.isRight(r))
    const pid = env.pid()
    const s = await env.step('look')
    assert.equal(s.done, true)
    assert.match(String(s.info['error']), /exited \(code 3/)
    assert.match(String(s.info['error']), /fake crash/)
    assert.ok(await waitDead(pid))
    assert.equal((await env.step('look')).done, true) // no episode: ends at once, no throw
    const again = await env.reset({ task: 'x', variant: 0, seed: 0 } as ResetRequest)
    assert.ok(E.isRight(again), 'training can go on after a crash')
    assert.notEqual(env.pid(), pid)
  } finally {
    const pid = env.pid()
    await env.close()
    assert.ok(await waitDead(pid))
  }
})

test('a hung child is killed with its process group at the call timeout; the episode ends with the error', async () => {
  const env = bridgeClient({
    name: 'hang',
    command: tsNode(here('./fixtures/hang.ts')),
    cwd: root,
    timeoutMs: 300
  })
  let grandchild: number | undefined
  try {
    const r = await env.reset({ task: 'x', variant: 0, seed: 0 } as ResetRequest)
    assert.ok(E.isRight(r), 'noise lines on stdout are ignored')
    grandchild = Number(r.right.info['grandchild'])
    const pid = env.pid()
    assert.ok(alive(grandchild))
    const t0 = Date.now()
    const s = await env.step('look')
    assert.ok(Date.now() - t0 < 3000)
    assert.equal(s.done, true)
    assert.match(String(s.info['error']), /no answer to step within 300 ms/)
    assert.ok(await waitDead(pid), 'child left behind')
    assert.ok(await waitDead(grandchild), 'grandchild left behind')
    assert.equal(env.errors().length, 1)
  } finally {
    await env.close()
    if (alive(grandchild)) process.kill(grandchild as number, 'SIGKILL')
  }
})

test('a command that cannot start is a reset error, not a crash', async () => {
  const env = bridgeClient({ name: 'missing', command: ['/nonexistent/program'], timeoutMs: 1000 })
  const r = await env.reset({ task: 'x', variant: 0, seed: 0 } as ResetRequest)
  assert.ok(E.isLeft(r))
  assert.match(r.left.message, /cannot run|exited/)
  await env.close()
})

test(
  'the Python server of adapters/ (bridge_common.py) speaks the same protocol',
  { skip: !hasPython && 'no python3' },
  async () => {
    const env = bridgeClient({
      name: 'toy',
      command: ['python3', here('./fixtures/toy_adapter.py')],
      timeoutMs: 5000
    })
    try {
      assert.deepEqual(await env.tasks(), [{ task: 'count', split: 'test', variants: [0] }])
      const bad = await env.reset({ task: 'other', variant: 0, seed: 0 } as ResetRequest)
      assert.ok(E.isLeft(bad) && /unknown task other/.test(bad.left.message))
      const { steps } = await transcript(env, { task: 'count', variant: 0, seed: 0 } as ResetRequest, [
        'next',
        'x',
        'next',
        'next'
      ])
      assert.deepEqual(
        steps.map((s) => [s.observation, s.done]),
        [
          ['1', false],
          ['1', false],
          ['2', false],
          ['3', true]
        ]
      )
      assert.equal(steps.at(-1)?.score, 100)
    } finally {
      const pid = env.pid()
      await env.close()
      assert.ok(await waitDead(pid))
    }
  }
)
