/**
 * adapters/scienceworld_bridge.py against a fake `scienceworld` package (test/effects/env/fixtures/
 * fake_scienceworld: the calls the bridge makes, no Java), through the real bridge protocol: the
 * `scienceWorld()` constructor spawns python3 on the bridge with the fake on PYTHONPATH. The fake's
 * valid-action lists are long (1,600 actions, sorted as the simulator sorts them, so `connect …`
 * comes before `focus`, `go to`, `look around`, `pick up`, `use` and `wait1`) and its task's gold
 * path needs actions that sit past any fixed cap.
 */
import { hasPython } from '../../support/python.ts'
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { scienceWorld } from '../../../src/effects/env/adapters.ts'
import type { BridgeEnvironment } from '../../../src/effects/env/bridge.ts'
import type { ResetRequest, ResetResult, StepResult } from '../../../src/spec/env.ts'

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url))
const fake = here('./fixtures/fake_scienceworld')

const skip = !hasPython && 'no python3'

const fakeEnv = (extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  PYTHONPATH: fake,
  PYTHONDONTWRITEBYTECODE: '1', // no __pycache__ left in adapters/ or the fixtures
  ...extra
})

const sw = (
  args: ReadonlyArray<string> = [],
  extra: Readonly<Record<string, string>> = {}
): BridgeEnvironment =>
  scienceWorld({ python: 'python3', args, env: fakeEnv(extra), timeoutMs: 20_000, resetTimeoutMs: 20_000 })

interface Probe {
  readonly gold: ReadonlyArray<string>
  readonly index: ReadonlyArray<number>
  readonly length: ReadonlyArray<number>
  readonly score: number
}
/** The gold path and, per step, the gold action's place in the simulator's own list, asked directly. */
const probe = (task: string, variant: number): Probe =>
  JSON.parse(
    execFileSync('python3', [here('./fixtures/sw_probe.py'), task, String(variant)], {
      env: fakeEnv()
    }).toString()
  ) as Probe

const req = (task: string, variant: number): ResetRequest => ({ task, variant, seed: 0 }) as ResetRequest

const start = async (env: BridgeEnvironment, task: string, variant: number): Promise<ResetResult> => {
  const r = await env.reset(req(task, variant))
  assert.ok(E.isRight(r), E.isLeft(r) ? r.left.message : '')
  return r.right
}

/** Play `actions`, checking that each is admissible when taken; the admissible lists seen, in order. */
const play = async (
  env: BridgeEnvironment,
  first: { readonly admissibleActions: ReadonlyArray<string> },
  actions: ReadonlyArray<string>
): Promise<{
  readonly lists: ReadonlyArray<ReadonlyArray<string>>
  readonly last: StepResult
}> => {
  const lists: ReadonlyArray<string>[] = [first.admissibleActions]
  let last: StepResult | undefined
  for (const [i, a] of actions.entries()) {
    const list = lists.at(-1) ?? []
    assert.ok(list.includes(a), `step ${i}: "${a}" is not among the ${list.length} admissible actions`)
    last = await env.step(a)
    assert.equal(last.info.error, undefined, String(last.info.error))
    lists.push(last.admissibleActions)
  }
  assert.ok(last !== undefined, 'no actions to play')
  return { lists, last }
}

const closeAll = async (...envs: ReadonlyArray<BridgeEnvironment>): Promise<void> => {
  for (const e of envs) await e.close()
}

test(
  'the gold path stays admissible at every step, though every gold action sits past 1,500 in the simulator’s list',
  { skip },
  async () => {
    for (const variant of [0, 3]) {
      const p = probe('use-thermometer', variant)
      assert.equal(p.score, 100)
      assert.ok(Math.min(...p.index) >= 1500, `gold indices ${p.index.join(',')}`)
      assert.ok(Math.min(...p.length) >= 1600, `list lengths ${p.length.join(',')}`)
      for (const [cap, order] of [
        [200, 'sorted'],
        [20, 'shuffled'],
        [1, 'sorted']
      ] as const) {
        const env = sw(
          ['--max-actions', String(cap)],
          order === 'shuffled' ? { FAKE_SCIENCEWORLD_ORDER: order } : {}
        )
        try {
          const first = await start(env, 'use-thermometer', variant)
          const { lists, last } = await play(env, first, p.gold)
          assert.equal(last.score, 100)
          assert.equal(last.done, true)
          assert.equal(last.info.endReason, 'taskDone')
          // the cap cut something at every step but the last (done: no actions)
          for (const [i, l] of lists.slice(0, -1).entries())
            assert.ok(l.length < (p.length[i] ?? 0), `step ${i}: ${l.length} kept of ${p.length[i]}`)
        } finally {
          await env.close()
        }
      }
    }
  }
)

test(
  'what the cap keeps does not depend on the order the simulator lists the actions in',
  { skip },
  async () => {
    const { gold } = probe('use-thermometer', 0)
    const sorted = sw(['--max-actions', '120'])
    const shuffled = sw(['--max-actions', '120'], { FAKE_SCIENCEWORLD_ORDER: 'shuffled' })
    try {
      const a = await play(sorted, await start(sorted, 'use-thermometer', 0), gold)
      const b = await play(shuffled, await start(shuffled, 'use-thermometer', 0), gold)
      assert.deepEqual(
        a.lists.map((l) => [...l].sort()),
        b.lists.map((l) => [...l].sort())
      )
    } finally {
      await closeAll(sorted, shuffled)
    }
  }
)

/** adapters/scienceworld_bridge.py's `select_actions(valid, observation, task, max)`, called in python3. */
const select = (
  cases: ReadonlyArray<readonly [ReadonlyArray<string>, string, string, number]>
): ReadonlyArray<ReadonlyArray<string>> =>
  JSON.parse(
    execFileSync(
      'python3',
      [
        '-c',
        'import json, sys; sys.path.insert(0, sys.argv[1]); from scienceworld_bridge import select_actions; ' +
          'sys.__stdout__.write(json.dumps([select_actions(*c) for c in json.load(sys.stdin)]))',
        here('../../../adapters')
      ],
      { input: JSON.stringify(cases), env: fakeEnv() }
    ).toString()
  ) as ReadonlyArray<ReadonlyArray<string>>

test(
  'the cap keeps what an agent needs and the task names, then the actions the observation names, then the shortest',
  { skip },
  () => {
    const valid = [
      'connect battery anode to switch anode',
      'connect red light bulb anode to battery anode',
      'eat apple',
      'mix bowl',
      'open door to kitchen',
      'open fridge',
      'read book',
      'reset task',
      '0',
      '1',
      'wait1'
    ]
    const task = 'Your task is to turn on the red light bulb.'
    const obs = 'You see a book and an apple.'
    const [needs, plusSeen, plusShortest, all, small] = select([
      [valid, obs, task, 1],
      [valid, obs, task, 7],
      [valid, obs, task, 8],
      [valid, obs, task, 0],
      [['eat apple', 'eat apple', 'wait'], '', '', 5]
    ])
    // never cut: an action on a task object (a terminal of the red light bulb), a door, the numbered
    // choices of an ambiguous request, wait1 — even past the cap
    assert.deepEqual(needs, [
      'connect red light bulb anode to battery anode',
      'open door to kitchen',
      '0',
      '1',
      'wait1'
    ])
    // then what the observation names (apple, book), then the shortest (mix bowl)
    assert.deepEqual(plusSeen, [
      'connect red light bulb anode to battery anode',
      'eat apple',
      'open door to kitchen',
      'read book',
      '0',
      '1',
      'wait1'
    ])
    assert.deepEqual(plusShortest, [
      'connect red light bulb anode to battery anode',
      'eat apple',
      'mix bowl',
      'open door to kitchen',
      'read book',
      '0',
      '1',
      'wait1'
    ])
    assert.deepEqual(all, valid)
    assert.deepEqual(small, ['eat apple', 'wait'])
  }
)

test(
  'a variation out of range is refused by reset, naming the task, the variation and the maximum',
  { skip },
  async () => {
    const env = sw()
    try {
      const bad = await env.reset(req('use-thermometer', 10))
      assert.ok(E.isLeft(bad), 'reset of variation 10 of 10 succeeded')
      assert.match(bad.left.message, /use-thermometer/)
      assert.match(bad.left.message, /variation 10\b/)
      assert.match(bad.left.message, /10 variations \(0 to 9\)/)
      const unknown = await env.reset(req('no-such-task', 0))
      assert.ok(E.isLeft(unknown) && /unknown task 'no-such-task'/.test(unknown.left.message))
      const last = await start(env, 'use-thermometer', 9)
      assert.doesNotMatch(last.observation, /ERROR/)
    } finally {
      await env.close()
    }
  }
)

test(
  'after the simulator dies the episode ends with the reason, the adapter exits, and the next reset works',
  { skip },
  async () => {
    const env = sw()
    try {
      await start(env, 'use-thermometer', 0)
      const pid = env.pid()
      await env.step('go to kitchen')
      const dead = await env.step('__fake_kill_jvm__')
      assert.equal(dead.done, true)
      assert.match(String(dead.info.error), /simulator is gone.*Py4JNetworkError/)
      const again = await start(env, 'use-thermometer', 0)
      assert.notEqual(env.pid(), pid)
      const { gold } = probe('use-thermometer', 0)
      const { last } = await play(env, again, gold)
      assert.equal(last.score, 100)
    } finally {
      await env.close()
    }
    // on the wire: the death is answered with id null (the client drops the child), then exit 3
    const lines = [
      { v: 1, id: 0, type: 'reset', task: 'use-thermometer', variant: 0, seed: 0 },
      { v: 1, id: 1, type: 'step', action: '__fake_kill_jvm__' },
      { v: 1, id: 2, type: 'reset', task: 'use-thermometer', variant: 0, seed: 0 }
    ]
    const run = spawnSync('python3', [here('../../../adapters/scienceworld_bridge.py')], {
      input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
      env: fakeEnv()
    })
    const answers = run.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number | null; type: string; message?: string })
    assert.equal(run.status, 3)
    assert.deepEqual(
      answers.map((a) => [a.id, a.type]),
      [
        [0, 'reset'],
        [null, 'error']
      ]
    )
    assert.match(answers[1]?.message ?? '', /simulator is gone/)
  }
)

test(
  'tasks lists the simulator’s own splits (the first 5 train and 20 test variations by default)',
  { skip },
  async () => {
    const range = (a: number, b: number): ReadonlyArray<number> =>
      Array.from({ length: b - a }, (_, i) => a + i)
    const env = sw()
    // the simulator refuses to load power-component without electrical actions; the splits load plain
    const all = sw([
      '--train-per-task',
      '0',
      '--test-per-task',
      '0',
      '--simplifications',
      'noElectricalAction'
    ])
    try {
      // the fake splits as the simulator does: halves to train, a quarter to dev, the rest to test
      assert.deepEqual(await env.tasks(), [
        { task: 'use-thermometer', split: 'train', variants: range(0, 4) },
        { task: 'use-thermometer', split: 'test', variants: range(6, 10) },
        { task: 'boil', split: 'train', variants: range(0, 5) },
        { task: 'boil', split: 'test', variants: range(21, 30) },
        { task: 'power-component', split: 'train', variants: range(0, 5) },
        { task: 'power-component', split: 'test', variants: range(15, 20) },
        { task: 'find-living-thing', split: 'train', variants: range(0, 5) },
        { task: 'find-living-thing', split: 'test', variants: range(225, 245) }
      ])
      const sizes = (await all.tasks()).map((t) => `${t.task}/${t.split}:${t.variants.length}`)
      assert.deepEqual(sizes, [
        'use-thermometer/train:4',
        'use-thermometer/test:4',
        'boil/train:14',
        'boil/test:9',
        'power-component/train:10',
        'power-component/test:5',
        'find-living-thing/train:150',
        'find-living-thing/test:75'
      ])
    } finally {
      await closeAll(env, all)
    }
  }
)

test('asking for the tasks in the middle of an episode leaves the episode as it was', { skip }, async () => {
  const { gold } = probe('use-thermometer', 3)
  const env = sw()
  try {
    const first = await start(env, 'use-thermometer', 3)
    const before = await play(env, first, gold.slice(0, 4))
    assert.ok((await env.tasks()).length > 0)
    const after = await play(env, before.last, gold.slice(4))
    assert.equal(after.last.score, 100)
  } finally {
    await env.close()
  }
})

test(
  'the step limit counts agent steps, not simulator moves, and info.endReason says why an episode ended',
  { skip },
  async () => {
    const env = sw(['--step-limit', '3'])
    try {
      await start(env, 'use-thermometer', 0)
      const [one, two, three] = [await env.step('wait'), await env.step('wait'), await env.step('wait')]
      assert.deepEqual([one.done, two.done, three.done], [false, false, true])
      assert.equal(three.info.endReason, 'stepLimit')
      assert.equal(three.info.steps, 3)
      assert.equal(three.info.stepLimit, 3)
      assert.ok(Number(three.info.moves) >= 30)
      assert.equal(one.info.endReason, undefined)

      await start(env, 'use-thermometer', 0)
      const wrong = await env.step('focus on painting')
      assert.equal(wrong.done, true)
      assert.equal(wrong.score, 0)
      assert.equal(wrong.info.failed, true)
      assert.equal(wrong.info.rawScore, -100)
      assert.equal(wrong.info.endReason, 'failed')
    } finally {
      await env.close()
    }
  }
)

test(
  'a reset loads the world once, and a step reuses the valid actions the simulator’s step returned',
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'empo2-sw-'))
    const statsFile = join(dir, 'stats.json')
    const stats = (): { loads: number; valid: number; steps: number } =>
      JSON.parse(readFileSync(statsFile, 'utf8')) as { loads: number; valid: number; steps: number }
    const env = sw([], { FAKE_SCIENCEWORLD_STATS: statsFile })
    try {
      await start(env, 'use-thermometer', 0)
      assert.deepEqual([stats().loads, stats().valid], [1, 1])
      for (const a of ['go to kitchen', 'wait', 'look around']) await env.step(a)
      assert.deepEqual([stats().loads, stats().valid, stats().steps], [1, 4, 4])
      await start(env, 'boil', 2)
      assert.deepEqual([stats().loads, stats().valid], [2, 5])
    } finally {
      await env.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
)
