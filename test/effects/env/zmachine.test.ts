/**
 * The Z-machine environment on real third-party games shipped by glkote-term (advent.z5, Jericho's
 * "advent"; advent.z3 and Mini-Zork, version 3) run by ifvms, and on tiny hand-assembled stories
 * that misbehave. A fixed command script reaches the known score of 68 of 350 (36 at the start, +25
 * for reaching the Hall of Mists, +7 for the gold nugget); two resets of one environment start from
 * the same state; the score comes from the right source; menus, hangs, a missing file and long
 * actions end or report as documented (proofs/environments.md §9).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { adventPath, zmachine, type ZMachineOptions } from '../../../src/effects/env/zmachine.ts'
import type { Environment, ResetRequest, ResetResult, StepResult } from '../../../src/spec/env.ts'
import { endlessMenu, storyFile } from './fixtures/zstory.ts'

// the prologue of glkote-term's tests/advent.z5.regtest, then on to the gold nugget
const script = [
  'east',
  'get all',
  'west',
  'south',
  'south',
  'south',
  'unlock grate with keys',
  'open it',
  'down',
  'west',
  'west',
  'turn on lamp',
  'west',
  'west',
  'west',
  'down',
  'south',
  'take gold'
]
const advent = { task: 'advent', variant: 0, seed: 1234 } as ResetRequest

const play = async (actions: ReadonlyArray<string>, req = advent, stepLimit?: number) => {
  const env = zmachine(stepLimit === undefined ? {} : { stepLimit })
  const r = await env.reset(req)
  assert.ok(E.isRight(r), E.isLeft(r) ? r.left.message : '')
  const steps: StepResult[] = []
  for (const a of actions) steps.push(await env.step(a))
  await env.close()
  return { first: r.right, steps }
}

test('advent: the fixed script reaches the known score 68/350, read from the game', async () => {
  const { first, steps } = await play([...script, 'score'])
  assert.match(first.observation, /At End Of Road/)
  assert.equal(first.info['rawScore'], 36)
  const last = steps.at(-1)
  assert.match(last?.observation ?? '', /scored 68 out of a possible 350/)
  assert.equal(last?.info['rawScore'], 68)
  assert.ok(Math.abs(last.score - (100 * 68) / 350) < 1e-9)
  assert.equal(
    steps.reduce((s, x) => s + x.reward, 0),
    68 - 36
  )
  assert.deepEqual(
    steps.filter((s) => s.reward !== 0).map((s) => s.reward),
    [25, 7]
  )
  assert.match(steps[1]?.observation ?? '', /brass lantern: Taken\./)
  assert.ok(steps.every((s) => !s.done))
})

test('advent: same seed, same transcript; odd input gets the game’s own message and never throws', async () => {
  const odd = ['', 'xyzzzy', 'take\nall', '!!!', 'save', 'restore', 'a'.repeat(500), 'é ü 中文', 'look']
  const a = await play(odd)
  const b = await play(odd)
  assert.deepEqual(a, b)
  for (const s of a.steps) {
    assert.equal(s.done, false)
    assert.ok(s.observation.length <= 600)
  }
  assert.match(a.steps[1]?.observation ?? '', /not a verb I recognise/)
})

test('advent: the episode ends at the step limit, and stepping after the end is an error value', async () => {
  const { steps } = await play(['wait', 'wait', 'wait', 'wait'], advent, 3)
  assert.deepEqual(
    steps.map((s) => s.done),
    [false, false, true, true]
  )
  assert.match(String(steps[3]?.info['error']), /outside an episode/)
})

test('advent: quitting ends the episode (the game is over)', async () => {
  const { steps } = await play(['quit', 'yes'])
  assert.equal(steps.at(-1)?.done, true)
})

// -------------------------------------------------------------------------------------
// one environment, many episodes
// -------------------------------------------------------------------------------------

const episode = async (env: Environment, actions: ReadonlyArray<string>, req = advent) => {
  const r = await env.reset(req)
  assert.ok(E.isRight(r), E.isLeft(r) ? r.left.message : '')
  const steps: StepResult[] = []
  for (const a of actions) steps.push(await env.step(a))
  return { first: r.right, steps }
}

test('two resets of one environment start from the same state: episode two carries nothing of episode one', async () => {
  const env = zmachine()
  const one = await episode(env, ['east', 'get all', 'inventory'])
  assert.match(one.steps[2]?.observation ?? '', /brass lantern/)
  const two = await episode(env, ['inventory'])
  assert.deepEqual(two.first, one.first)
  assert.match(two.steps[0]?.observation ?? '', /carrying nothing/)
  assert.doesNotMatch(two.steps[0]?.observation ?? '', /lantern|keys|food/)
  // and a whole scripted episode replays identically in the same environment
  const three = await episode(env, script)
  const four = await episode(env, script)
  assert.deepEqual(four, three)
  assert.deepEqual(three, await play(script))
  await env.close()
})

// -------------------------------------------------------------------------------------
// score sources
// -------------------------------------------------------------------------------------

const games = dirname(adventPath())
const open = (file: string, opts: ZMachineOptions = {}) => {
  const env = zmachine({ file, ...opts })
  return { env, req: { task: basename(file).replace(/\.z\d$/, ''), variant: 0, seed: 1 } as ResetRequest }
}
// Mini-Zork: +10 on entering the kitchen through the window
const toKitchen = ['north', 'east', 'open window', 'enter window']

test('a version-3 game’s score is read from its header, and its maximum once it states one', async () => {
  const { env, req } = open(join(games, 'minizork.z3'))
  const { first, steps } = await episode(env, [...toKitchen, 'score'], req)
  assert.equal(first.info['scoreSource'], 'header')
  assert.deepEqual(
    steps.map((s) => s.reward),
    [0, 0, 0, 10, 0]
  )
  assert.equal(steps[3]?.info['scoreSource'], 'header')
  assert.equal(steps[3].info['maxScore'], 100) // not stated yet: the default
  assert.match(steps[4]?.observation ?? '', /Your score is 10 \(of 350 points\)/)
  assert.equal(steps[4]?.info['maxScore'], 350)
  assert.ok(Math.abs(steps[4].score - (100 * 10) / 350) < 1e-9)
  // the stated maximum holds for the next episode of the same file
  const again = await episode(env, [], req)
  assert.equal(again.first.info['maxScore'], 350)
  await env.close()
})

test('a version-3 time game’s clock is never read as a score', async () => {
  // Mini-Zork with Flags 1 bit 1 set: the interpreter draws "Time: h:mm" from globals 1 and 2
  const story = readFileSync(join(games, 'minizork.z3'))
  story[1] = (story[1] ?? 0) | 2
  const { env, req } = open(storyFile('minizork.z3', story))
  const { first, steps } = await episode(env, [...toKitchen, 'score'], req)
  assert.equal(first.info['rawScore'], 0)
  // in the kitchen global 1 is 10 ("10:0x AM"), but no source says score
  assert.equal(steps[3]?.info['rawScore'], 0)
  assert.equal(steps[3].info['scoreSource'], 'unchanged')
  // until the game says so itself
  assert.equal(steps[4]?.info['rawScore'], 10)
  assert.equal(steps[4].info['scoreSource'], 'message')
  await env.close()
})

test('advent: the status line gives the score; the game’s message gives score and maximum', async () => {
  const { first, steps } = await play(['score'])
  assert.equal(first.info['scoreSource'], 'status')
  assert.equal(steps[0]?.info['scoreSource'], 'message')
  assert.equal(steps[0].info['maxScore'], 350)
})

test('maxScore and a custom score reader override the built-in sources', async () => {
  const { env, req } = open(join(games, 'minizork.z3'), {
    maxScore: 20,
    // global 1 is Mini-Zork's score: read it twice over, to tell the reader's value from the header's
    scoreReader: (v) => (v.text.includes('Kitchen') ? 2 * v.global(1) : undefined)
  })
  const { steps } = await episode(env, [...toKitchen, 'look', 'score'], req)
  assert.equal(steps[3]?.info['scoreSource'], 'custom')
  assert.equal(steps[3].info['rawScore'], 20)
  assert.equal(steps[3].score, 100)
  assert.equal(steps[4]?.info['rawScore'], 20) // `look` in the kitchen: the reader again
  assert.equal(steps[5]?.info['scoreSource'], 'message')
  assert.equal(steps[5].info['maxScore'], 20) // the override wins over the stated 350
  await env.close()
})

// -------------------------------------------------------------------------------------
// hostile stories and input
// -------------------------------------------------------------------------------------

test('advent: the help menu is left with a key, reported in info, and the episode goes on', async () => {
  const { steps } = await play(['help', 'look'])
  assert.equal(steps[0]?.done, false)
  assert.equal(steps[0].info['gameOver'], false)
  assert.equal(steps[0].info['keysSent'], 'escape')
  assert.match(steps[1]?.observation ?? '', /At End Of Road/)
})

test('a menu no key leaves ends the step with an error, after maxKeys keys', async () => {
  const { env, req } = open(storyFile('menu.z5', endlessMenu()), { maxKeys: 6 })
  const { steps } = await episode(env, ['help', 'look'], req)
  assert.equal(steps[0]?.done, true)
  assert.equal(steps[0].info['keysSent'], 'escape q escape q escape q')
  assert.match(String(steps[0].info['error']), /still waits for a key after 6 key presses/)
  assert.match(String(steps[1]?.info['error']), /outside an episode/)
  await env.close()
})

test('stories that would hang: the watchdog and the bound on file prompts end reset or the episode with an error', () => {
  // in a child process: a guard that does not hold would hang it (killed after 60 s), not the runner
  const script = fileURLToPath(new URL('./fixtures/spin.ts', import.meta.url))
  const t0 = Date.now()
  const out = execFileSync(process.execPath, ['--import', 'tsx', script], {
    encoding: 'utf8',
    timeout: 60_000
  })
  const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    start: E.Either<{ message: string }, ResetResult>
    first: E.Either<{ message: string }, ResetResult>
    step: StepResult
    again: E.Either<{ message: string }, ResetResult>
    saveFirst: E.Either<{ message: string }, ResetResult>
    saveStep: StepResult
  }
  assert.ok(Date.now() - t0 < 30_000)
  // from its first instruction: reset is a Left naming the file and the reason
  assert.ok(E.isLeft(r.start))
  assert.match(r.start.left.message, /spin\.z5.*ran 200 ms without asking for input/)
  // after its first line: the step ends the episode with the reason in info.error
  assert.ok(E.isRight(r.first))
  assert.equal(r.step.done, true)
  assert.match(String(r.step.info['error']), /ran 200 ms without asking for input/)
  // and the environment starts a new episode
  assert.ok(E.isRight(r.again))
  // a game that asks for a save file again each time the prompt is cancelled: maxKeys prompts
  assert.ok(E.isRight(r.saveFirst))
  assert.equal(r.saveStep.done, true)
  assert.match(String(r.saveStep.info['error']), /asked for a file 5 times in one turn/)
})

test('a missing game file: the constructor does not throw, reset is a Left naming the file', async () => {
  const file = join(tmpdir(), 'no-such-dir-empo2', 'lost.z5')
  const env = zmachine({ file })
  assert.deepEqual(await env.tasks(), [{ task: 'lost', split: 'test', variants: [0] }])
  const r = await env.reset({ task: 'lost', variant: 0, seed: 1 } as ResetRequest)
  assert.ok(E.isLeft(r))
  assert.ok(r.left.message.includes(file), r.left.message)
  assert.match((await env.step('look')).info['error']?.toString() ?? '', /outside an episode/)
})

test('an action longer than maxActionLength is cut, and info.actionTruncated says so', async () => {
  const { steps } = await play(['take ' + 'x'.repeat(300), 'look', 'y'.repeat(200), 'z'.repeat(201)])
  assert.deepEqual(
    steps.map((s) => s.info['actionTruncated']),
    [true, false, false, true]
  )
  const env = zmachine({ maxActionLength: 4 })
  const { steps: short } = await episode(env, ['look', 'looks'])
  assert.deepEqual(
    short.map((s) => [s.info['actionTruncated'], /At End Of Road/.test(s.observation)]),
    [
      [false, true],
      [true, true] // "looks" cut to "look"
    ]
  )
})
