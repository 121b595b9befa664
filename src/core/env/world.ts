/**
 * The world model of the embedded exploration suite: rooms joined by doors, objects with a few
 * affordances, an agent that sees only the room it stands in (partial observability, docs/method.md §1),
 * and the pure transition `act(world, action) → [world, message]`. The admissible-action list is the
 * grammar: an action is carried out iff, after normalisation, it is in the list; anything else gets
 * an in-game message, costs a step (counted by the suite) and never throws.
 *
 * @since 0.1.0
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Where an object is: in a room, carried, inside a container, or used up.
 *
 * @since 0.1.0
 * @category model
 */
export type Loc =
  | { readonly _tag: 'Room'; readonly room: string }
  | { readonly _tag: 'Carried' }
  | { readonly _tag: 'Inside'; readonly container: string }
  | { readonly _tag: 'Gone' }

/**
 * An object. `name` is unique in a world and is how actions refer to it. Affordances:
 * `portable` (take/drop), `container` (open; its contents are visible once open), `switch` (activate;
 * needs `ready` when `needs` is set), `needs` (the tool that must be used on it to make it ready),
 * `tool` (may be used on things; `consumable` tools are used up), `temperature` (read with a
 * thermometer).
 *
 * @since 0.1.0
 * @category model
 */
export interface Obj {
  readonly name: string
  readonly loc: Loc
  readonly portable: boolean
  readonly container?: { readonly open: boolean }
  readonly switch?: { readonly on: boolean }
  readonly needs?: string
  readonly ready?: boolean
  readonly tool?: { readonly consumable: boolean; readonly thermometer: boolean }
  readonly temperature?: number
}

/**
 * A room and the rooms its doors lead to.
 *
 * @since 0.1.0
 * @category model
 */
export interface Room {
  readonly name: string
  readonly exits: ReadonlyArray<string>
}

/**
 * Which optional verbs a family offers (kept per family so the admissible list stays short).
 *
 * @since 0.1.0
 * @category model
 */
export interface Verbs {
  readonly drop: boolean
  readonly focus: boolean
  readonly mix: ReadonlyArray<{ readonly a: string; readonly b: string; readonly out: string }>
}

/**
 * The full (hidden) state of a world: layout, objects, where the agent is, what it has seen,
 * measured and focused on.
 *
 * @since 0.1.0
 * @category model
 */
export interface World {
  readonly rooms: ReadonlyArray<Room>
  readonly objects: ReadonlyArray<Obj>
  readonly at: string
  readonly verbs: Verbs
  readonly seen: ReadonlyArray<string>
  readonly measured: ReadonlyArray<string>
  readonly focused: string | null
}

/**
 * The longest observation the suite emits, in characters (a small transformer reads them). Checked
 * by a property over fuzzed play.
 *
 * @since 0.1.0
 * @category model
 */
export const maxObservationLength = 600

/**
 * The most admissible actions offered in any state. Checked by a property over fuzzed play.
 *
 * @since 0.1.0
 * @category model
 */
export const maxAdmissibleActions = 30

/**
 * The most words in any admissible action: `use <tool> on <thing>` with two-word names
 * (`use blue paint on red paint`). Checked by a property over fuzzed play.
 *
 * @example
 * import { maxActionWords } from './world.ts'
 * assert.equal('use blue paint on red paint'.split(' ').length, maxActionWords)
 *
 * @since 0.1.0
 * @category model
 */
export const maxActionWords = 6

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/**
 * Whether the suite writes `an` (not `a`) before a name: it starts with a vowel letter.
 *
 * @example
 * import { takesAn } from './world.ts'
 * assert.equal(takesAn('apple'), true)
 * assert.equal(takesAn('red apple'), false)
 *
 * @since 0.1.0
 * @category destructors
 */
export const takesAn = (name: string): boolean => /^[aeiou]/u.test(name)

const article = (name: string): string => (takesAn(name) ? `an ${name}` : `a ${name}`)

/**
 * Every name a world can show: its rooms and its objects, hidden ones included.
 *
 * @example
 * import { worldNames, roomLoc } from './world.ts'
 * const w = { rooms: [{ name: 'kitchen', exits: [] }], objects: [{ name: 'gem', loc: { _tag: 'Inside', container: 'box' }, portable: true }, { name: 'box', loc: roomLoc('kitchen'), portable: false, container: { open: false } }], at: 'kitchen', verbs: { drop: false, focus: false, mix: [] }, seen: [], measured: [], focused: null }
 * assert.deepEqual(worldNames(w), ['kitchen', 'gem', 'box'])
 *
 * @since 0.1.0
 * @category destructors
 */
export const worldNames = (w: World): ReadonlyArray<string> => [
  ...w.rooms.map((r) => r.name),
  ...w.objects.map((o) => o.name)
]

/**
 * The object named `name`, if any.
 *
 * @example
 * import { findObj, roomLoc } from './world.ts'
 * const w = { rooms: [], objects: [{ name: 'cup', loc: roomLoc('kitchen'), portable: true }], at: 'kitchen', verbs: { drop: false, focus: false, mix: [] }, seen: [], measured: [], focused: null }
 * assert.equal(findObj(w, 'cup')?.name, 'cup')
 * assert.equal(findObj(w, 'mug'), undefined)
 *
 * @since 0.1.0
 * @category destructors
 */
export const findObj = (w: World, name: string): Obj | undefined => w.objects.find((o) => o.name === name)

/**
 * The room an object is in, following containers; `undefined` when carried or gone.
 *
 * @example
 * import { roomOf, roomLoc } from './world.ts'
 * const w = { rooms: [], objects: [{ name: 'box', loc: roomLoc('attic'), portable: false, container: { open: false } }, { name: 'gem', loc: { _tag: 'Inside', container: 'box' }, portable: true }], at: 'attic', verbs: { drop: false, focus: false, mix: [] }, seen: [], measured: [], focused: null }
 * assert.equal(roomOf(w, 'gem'), 'attic')
 *
 * @since 0.1.0
 * @category destructors
 */
export const roomOf = (w: World, name: string): string | undefined => {
  let o = findObj(w, name)
  for (let guard = 0; o !== undefined && guard < 8; guard++) {
    if (o.loc._tag === 'Room') return o.loc.room
    if (o.loc._tag !== 'Inside') return undefined
    o = findObj(w, o.loc.container)
  }
  return undefined
}

/**
 * Whether the agent carries the object.
 *
 * @example
 * import { carried } from './world.ts'
 * const w = { rooms: [], objects: [{ name: 'key', loc: { _tag: 'Carried' }, portable: true }], at: 'hall', verbs: { drop: false, focus: false, mix: [] }, seen: [], measured: [], focused: null }
 * assert.ok(carried(w, 'key'))
 *
 * @since 0.1.0
 * @category destructors
 */
export const carried = (w: World, name: string): boolean => findObj(w, name)?.loc._tag === 'Carried'

/**
 * The objects visible in the agent's room, in world order: those lying in it and the contents of
 * open containers in it (not carried ones).
 *
 * @example
 * import { visible, roomLoc } from './world.ts'
 * const w = { rooms: [], objects: [{ name: 'cup', loc: roomLoc('kitchen'), portable: true }, { name: 'bed', loc: roomLoc('bedroom'), portable: false }], at: 'kitchen', verbs: { drop: false, focus: false, mix: [] }, seen: [], measured: [], focused: null }
 * assert.deepEqual(visible(w).map((o) => o.name), ['cup'])
 *
 * @since 0.1.0
 * @category destructors
 */
export const visible = (w: World): ReadonlyArray<Obj> =>
  w.objects.filter((o) => {
    if (o.loc._tag === 'Room') return o.loc.room === w.at
    if (o.loc._tag === 'Inside') {
      const c = findObj(w, o.loc.container)
      return c !== undefined && c.container?.open === true && c.loc._tag === 'Room' && c.loc.room === w.at
    }
    return false
  })

/**
 * The carried objects.
 *
 * @example
 * import { inventory } from './world.ts'
 * const w = { rooms: [], objects: [{ name: 'key', loc: { _tag: 'Carried' }, portable: true }], at: 'hall', verbs: { drop: false, focus: false, mix: [] }, seen: [], measured: [], focused: null }
 * assert.equal(inventory(w).length, 1)
 *
 * @since 0.1.0
 * @category destructors
 */
export const inventory = (w: World): ReadonlyArray<Obj> => w.objects.filter((o) => o.loc._tag === 'Carried')

const exitsOf = (w: World): ReadonlyArray<string> => w.rooms.find((r) => r.name === w.at)?.exits ?? []

const describeObj = (o: Obj): string => {
  const bits: string[] = []
  if (o.container !== undefined) bits.push(o.container.open ? 'open' : 'closed')
  if (o.switch !== undefined) bits.push(o.switch.on ? 'on' : 'off')
  if (o.needs !== undefined && o.ready !== true) bits.push('broken')
  return bits.length === 0 ? article(o.name) : `${article(o.name)} (${bits.join(', ')})`
}

/**
 * What the agent sees: only the current room (partial observability), its objects, and its doors.
 *
 * @example
 * import { describeRoom, roomLoc } from './world.ts'
 * const w = { rooms: [{ name: 'kitchen', exits: ['hallway'] }], objects: [{ name: 'cup', loc: roomLoc('kitchen'), portable: true }], at: 'kitchen', verbs: { drop: false, focus: false, mix: [] }, seen: [], measured: [], focused: null }
 * assert.equal(describeRoom(w), 'You are in the kitchen. You see: a cup. Doors lead to: hallway.')
 *
 * @since 0.1.0
 * @category destructors
 */
export const describeRoom = (w: World): string => {
  const objs = visible(w)
  const seen = objs.length === 0 ? 'nothing of note' : objs.map(describeObj).join(', ')
  return `You are in the ${w.at}. You see: ${seen}. Doors lead to: ${exitsOf(w).join(', ')}.`
}

/**
 * The admissible actions in the current state, sorted: `look`, `inventory`, `go to <room>` for
 * each door, `take`, `open`, `activate` for what is here, `use <tool> on <thing>` for each carried
 * tool and each thing here, and the family's optional verbs (`drop`, `focus on`, `mix`).
 *
 * @example
 * import { admissible, roomLoc } from './world.ts'
 * const w = { rooms: [{ name: 'kitchen', exits: ['hallway'] }], objects: [{ name: 'cup', loc: roomLoc('kitchen'), portable: true }], at: 'kitchen', verbs: { drop: false, focus: false, mix: [] }, seen: [], measured: [], focused: null }
 * assert.deepEqual(admissible(w), ['go to hallway', 'inventory', 'look', 'take cup'])
 *
 * @since 0.1.0
 * @category destructors
 */
export const admissible = (w: World): ReadonlyArray<string> => {
  const out = ['look', 'inventory', ...exitsOf(w).map((r) => `go to ${r}`)]
  const here = visible(w)
  const inv = inventory(w)
  for (const o of here) {
    if (o.portable) out.push(`take ${o.name}`)
    if (o.container !== undefined && !o.container.open) out.push(`open ${o.name}`)
    if (o.switch !== undefined && !o.switch.on) out.push(`activate ${o.name}`)
    if (w.verbs.focus) out.push(`focus on ${o.name}`)
  }
  for (const tool of inv.filter((o) => o.tool !== undefined))
    for (const o of here) out.push(`use ${tool.name} on ${o.name}`)
  if (w.verbs.drop) for (const o of inv) out.push(`drop ${o.name}`)
  for (const m of w.verbs.mix) if (carried(w, m.a) && carried(w, m.b)) out.push(`mix ${m.a} with ${m.b}`)
  return [...new Set(out)].sort()
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The location "in room `room`".
 *
 * @example
 * import { roomLoc } from './world.ts'
 * assert.deepEqual(roomLoc('hall'), { _tag: 'Room', room: 'hall' })
 *
 * @since 0.1.0
 * @category constructors
 */
export const roomLoc = (room: string): Loc => ({ _tag: 'Room', room })

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * An action normalised: lower case, punctuation other than `-` removed, runs of white space
 * collapsed, at most 200 characters read.
 *
 * @example
 * import { normalizeAction } from './world.ts'
 * assert.equal(normalizeAction('  Go   to the KITCHEN! '), 'go to the kitchen')
 *
 * @since 0.1.0
 * @category combinators
 */
export const normalizeAction = (raw: string): string =>
  raw
    .slice(0, 200)
    .toLowerCase()
    .replace(/[^a-z0-9 -]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()

const setObj =
  (name: string, f: (o: Obj) => Obj) =>
  (w: World): World => ({ ...w, objects: w.objects.map((o) => (o.name === name ? f(o) : o)) })

const markSeen = (w: World): World => {
  const names = visible(w).map((o) => o.name)
  const fresh = names.filter((n) => !w.seen.includes(n))
  return fresh.length === 0 ? w : { ...w, seen: [...w.seen, ...fresh] }
}

const verbsKnown = ['look', 'inventory', 'go', 'take', 'open', 'activate', 'use', 'drop', 'focus', 'mix']

const refuse = (action: string): string => {
  const shown = action.length > 40 ? `${action.slice(0, 37)}...` : action
  const verb = action.split(' ')[0] ?? ''
  if (action === '') return 'You did nothing. Type one of the listed actions.'
  if (verbsKnown.includes(verb)) return `You can't "${shown}" here. Choose one of the listed actions.`
  return `I don't understand "${shown}". Actions look like: look, go to <room>, take <thing>.`
}

const useOn = (w: World, toolName: string, targetName: string): readonly [World, string] => {
  const tool = findObj(w, toolName)
  const target = findObj(w, targetName)
  if (tool?.tool === undefined || target === undefined) return [w, 'Nothing happens.']
  if (tool.tool.thermometer) {
    if (target.temperature === undefined) return [w, `The ${toolName} shows nothing useful.`]
    const measured = w.measured.includes(targetName) ? w.measured : [...w.measured, targetName]
    return [{ ...w, measured }, `The ${toolName} reads ${target.temperature} degrees.`]
  }
  if (target.needs === toolName && target.ready !== true) {
    const fixed = setObj(targetName, (o) => ({ ...o, ready: true }))(w)
    const after = tool.tool.consumable
      ? setObj(toolName, (o) => ({ ...o, loc: { _tag: 'Gone' } }))(fixed)
      : fixed
    return [after, `You use the ${toolName} on the ${targetName}. It is ready now.`]
  }
  return [w, 'Nothing happens.']
}

/**
 * One transition of the world for an action (already normalised or not). Returns the next world and
 * the message shown before the room description. Actions not in {@link admissible} leave the world
 * unchanged and return a message saying so; the function is total.
 *
 * @example
 * import { act, roomLoc } from './world.ts'
 * const w = { rooms: [{ name: 'kitchen', exits: ['hallway'] }, { name: 'hallway', exits: ['kitchen'] }], objects: [{ name: 'cup', loc: roomLoc('kitchen'), portable: true }], at: 'kitchen', verbs: { drop: false, focus: false, mix: [] }, seen: [], measured: [], focused: null }
 * const [w1, msg] = act(w, 'take cup')
 * assert.equal(msg, 'You take the cup.')
 * assert.equal(act(w1, 'go to hallway')[0].at, 'hallway')
 * assert.match(act(w, 'dance')[1], /don't understand/)
 *
 * @since 0.1.0
 * @category combinators
 */
export const act = (w: World, raw: string): readonly [World, string] => {
  const a = normalizeAction(raw)
  if (!admissible(w).includes(a)) return [w, refuse(a)]
  const rest = (prefix: string): string => a.slice(prefix.length)
  if (a === 'look') return [w, '']
  if (a === 'inventory') {
    const inv = inventory(w)
    return [
      w,
      inv.length === 0 ? 'You carry nothing.' : `You carry: ${inv.map((o) => article(o.name)).join(', ')}.`
    ]
  }
  if (a.startsWith('go to ')) return [markSeen({ ...w, at: rest('go to ') }), '']
  if (a.startsWith('take ')) {
    const n = rest('take ')
    return [setObj(n, (o) => ({ ...o, loc: { _tag: 'Carried' } }))(w), `You take the ${n}.`]
  }
  if (a.startsWith('drop ')) {
    const n = rest('drop ')
    return [setObj(n, (o) => ({ ...o, loc: roomLoc(w.at) }))(w), `You drop the ${n}.`]
  }
  if (a.startsWith('open ')) {
    const n = rest('open ')
    const w1 = markSeen(setObj(n, (o) => ({ ...o, container: { open: true } }))(w))
    const inside = w1.objects
      .filter((o) => o.loc._tag === 'Inside' && o.loc.container === n)
      .map((o) => article(o.name))
    return [
      w1,
      `You open the ${n}. ${inside.length === 0 ? 'It is empty.' : `Inside: ${inside.join(', ')}.`}`
    ]
  }
  if (a.startsWith('activate ')) {
    const n = rest('activate ')
    const o = findObj(w, n)
    if (o?.needs !== undefined && o.ready !== true)
      return [w, `The ${n} does not work yet. It needs something.`]
    return [setObj(n, (x) => ({ ...x, switch: { on: true } }))(w), `The ${n} is now on.`]
  }
  if (a.startsWith('focus on ')) {
    const n = rest('focus on ')
    return [{ ...w, focused: n }, `You focus on the ${n}.`]
  }
  if (a.startsWith('mix ')) {
    const m = w.verbs.mix.find((r) => a === `mix ${r.a} with ${r.b}`)
    if (m === undefined) return [w, 'Nothing happens.']
    const gone = (n: string) => setObj(n, (o) => ({ ...o, loc: { _tag: 'Gone' } }))
    const w1 = gone(m.b)(gone(m.a)(w))
    const made = setObj(m.out, (o) => ({ ...o, loc: { _tag: 'Carried' } }))(w1)
    return [made, `You mix them and make ${m.out}.`]
  }
  // use <tool> on <thing>: names may contain spaces, so match against the carried tools
  for (const tool of inventory(w))
    if (a.startsWith(`use ${tool.name} on `))
      return useOn(w, tool.name, a.slice(`use ${tool.name} on `.length))
  return [w, refuse(a)]
}

/**
 * The world after the agent first looks around (the start room's objects are marked as seen).
 *
 * @example
 * import { start, roomLoc } from './world.ts'
 * const w = { rooms: [], objects: [{ name: 'cup', loc: roomLoc('kitchen'), portable: true }], at: 'kitchen', verbs: { drop: false, focus: false, mix: [] }, seen: [], measured: [], focused: null }
 * assert.deepEqual(start(w).seen, ['cup'])
 *
 * @since 0.1.0
 * @category combinators
 */
export const start = (w: World): World => markSeen(w)
