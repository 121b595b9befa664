import fc from 'fast-check'
import { property } from '../support/property.ts'
import { arbBatch, arbSettings, setAt, toInputs, type Batch } from '../support/batch.ts'
import { empo2Loss, type LossOutput, type LossSettings } from '../../src/core/loss/loss.ts'
import { lossGradient } from '../../src/core/loss/gradient.ts'
import { lossMasks } from '../../src/core/loss/mask.ts'
import { numberNumeric as N, toRows, toScalar, type NDArray } from '../../src/core/loss/numeric.ts'

const out = (s: LossSettings, b: Batch): LossOutput<NDArray> => empo2Loss(N)(s)(toInputs(b))
const num = (o: LossOutput<NDArray>, k: keyof LossOutput<NDArray>): number => toScalar(o[k])

// A batch with one real token (row i, col 0) whose PG term the paper mask removes: δ ∈ [1e-6, 1],
// the token's tip-free log-prob `log δ − e` (e ∈ (0, 20]), so below the threshold.
const maskedCase = fc
  .record({
    s: arbSettings,
    b: arbBatch(),
    scope: fc.constantFrom<'all' | 'offPolicy'>('all', 'offPolicy'),
    delta: fc.double({ min: 1e-6, max: 1, noNaN: true }),
    e1: fc.double({ min: 1e-9, max: 20, noNaN: true }),
    e2: fc.double({ min: 1e-9, max: 20, noNaN: true }),
    free: fc.double({ min: -1e4, max: 0, noNaN: true }),
    row: fc.nat()
  })
  .map(({ s, b, scope, delta, e1, e2, free, row }) => {
    const i = row % b.labels.length
    const logDelta = Math.log(delta)
    // in scope: offPolicy scope needs an off-policy row; otherwise keep the row's label
    const label = scope === 'offPolicy' ? 'offPolicy' : (b.labels[i] as Batch['labels'][number])
    const labels = b.labels.map((l, k) => (k === i ? label : l))
    const tied = label !== 'onPolicyWithTips' // contract: tipFree = logProbs on these rows
    const v1 = logDelta - e1
    const v2 = tied ? logDelta - e2 : free // a new logProb: arbitrary unless tied to tipFree
    const logProbs = setAt(b.logProbs, i, 0, v1)
    const base: Batch = {
      ...b,
      labels,
      logProbs,
      // contract: tipFree = logProbs except on onPolicyWithTips rows
      tipFreeLogProbs: labels.map((l, k) =>
        l === 'onPolicyWithTips'
          ? (setAt(b.tipFreeLogProbs, i, 0, v1)[k] as number[])
          : (logProbs[k] as number[])
      ),
      responseMask: setAt(b.responseMask, i, 0, 1)
    }
    const changed: Batch = {
      ...base,
      logProbs: setAt(base.logProbs, i, 0, v2),
      tipFreeLogProbs: tied ? setAt(base.tipFreeLogProbs, i, 0, v2) : base.tipFreeLogProbs
    }
    const settings: LossSettings = {
      ...s,
      mask: { ...s.mask, enabled: true, rule: 'tokenProb', scope, delta }
    }
    return { settings, base, changed, i }
  })

property(
  'a token masked by the paper mask contributes exactly zero to the policy loss; with β = 0 its logProb changes neither the loss nor its own gradient entry (0)',
  [maskedCase],
  ({ settings, base, changed, i }) => {
    const pl = num(out(settings, base), 'policyLoss') === num(out(settings, changed), 'policyLoss')
    const s0 = { ...settings, kl: { ...settings.kl, beta: 0 } }
    const same = num(out(s0, base), 'loss') === num(out(s0, changed), 'loss')
    const g = lossGradient(s0)(toInputs(changed))
    return pl && same && toRows(g.dLogProbs)[i]?.[0] === 0
  },
  { numRuns: 60 }
)

property(
  'the paper mask keeps a masked token in the denominator and in the KL and entropy terms (denominator and terms masks = response mask)',
  [maskedCase],
  ({ settings, base }) => {
    const m = lossMasks(N)(settings.mask)(toInputs(base))
    const o = out(settings, base)
    const r = base.responseMask.flat().join()
    return (
      toRows(m.denominator).flat().join() === r &&
      toRows(m.terms).flat().join() === r &&
      num(o, 'tokenCount') === base.responseMask.flat().reduce((a, x) => a + x, 0) &&
      num(o, 'maskedFraction') > 0
    )
  },
  { numRuns: 60 }
)

// The official rule: row i gets a real token with old log-prob below the threshold.
const droppedRow = fc
  .record({
    s: arbSettings,
    b: arbBatch(),
    row: fc.nat(),
    // a log-prob threshold in the practical range (official −5); `below` ≥ 1e-9 stays visible at that scale
    minOldLogProb: fc.double({ min: -20, max: 0, noNaN: true }),
    below: fc.double({ min: 1e-9, max: 50, noNaN: true })
  })
  .map(({ s, b, row, minOldLogProb, below }) => {
    const i = row % b.labels.length
    const settings: LossSettings = {
      ...s,
      mask: {
        ...s.mask,
        enabled: true,
        rule: 'sequenceMinOldLogProb',
        minOldLogProb,
        droppedRowsCount: false
      },
      kl: { ...s.kl, beta: Math.min(s.kl.beta, 10) }
    }
    const batch: Batch = {
      ...b,
      oldLogProbs: setAt(b.oldLogProbs, i, 0, settings.mask.minOldLogProb - below),
      responseMask: setAt(b.responseMask, i, 0, 1)
    }
    const zeroed: Batch = {
      ...batch,
      responseMask: batch.responseMask.map((r, k) => (k === i ? r.map(() => 0) : r))
    }
    return { settings, batch, zeroed, i }
  })

property(
  'without droppedRowsCount the official sequence mask drops the whole row from every term and denominator: every output (but maskedFraction) equals that of the batch with the row’s response mask zeroed, and the row’s gradients are 0',
  [droppedRow],
  ({ settings, batch, zeroed, i }) => {
    const a = out(settings, batch)
    const z = out(settings, zeroed)
    const keys = [
      'loss',
      'policyLoss',
      'klLoss',
      'entropy',
      'clipFraction',
      'approxKl',
      'tokenCount'
    ] as const
    const s1 = { ...settings, entropyCoef: Math.max(settings.entropyCoef, 0.5) }
    const g = lossGradient(s1)(toInputs(batch))
    return (
      keys.every((k) => num(a, k) === num(z, k)) &&
      (toRows(g.dLogProbs)[i] ?? []).every((x) => x === 0) &&
      (toRows(g.dEntropy as NDArray)[i] ?? []).every((x) => x === 0)
    )
  },
  { numRuns: 60 }
)

// With droppedRowsCount (the authors' code) the dropped row is compared with the same row kept
// (old log-probs 0, never below a threshold ≤ 0) whose every per-token term is 0: advantage 0 (so
// l = −0·ρ and no clip), ref = logProbs (k1 = k2 = k3 = 0) and entropy 0.
property(
  'with droppedRowsCount a row the official sequence mask drops counts exactly like a kept row whose every per-token term is 0: same loss, terms, clipFraction and tokenCount, and its gradients are 0',
  [droppedRow],
  ({ settings: s0, batch, i }) => {
    const settings = { ...s0, mask: { ...s0.mask, droppedRowsCount: true } }
    const zeroRow = (rows: Batch['logProbs'], v: (j: number) => number): Batch['logProbs'] =>
      rows.map((r, k) => (k === i ? r.map((_, j) => v(j)) : r))
    const kept: Batch = {
      ...batch,
      oldLogProbs: zeroRow(batch.oldLogProbs, () => 0),
      advantages: zeroRow(batch.advantages, () => 0),
      refLogProbs: zeroRow(batch.refLogProbs, (j) => batch.logProbs[i]?.[j] as number),
      entropy: zeroRow(batch.entropy, () => 0)
    }
    const a = out(settings, batch)
    const z = out(settings, kept)
    const keys = ['loss', 'policyLoss', 'klLoss', 'entropy', 'clipFraction', 'tokenCount'] as const
    const s1 = { ...settings, entropyCoef: Math.max(settings.entropyCoef, 0.5) }
    const g = lossGradient(s1)(toInputs(batch))
    const m = lossMasks(N)(settings.mask)(toInputs(batch))
    return (
      keys.every((k) => num(a, k) === num(z, k)) &&
      toRows(m.denominator).flat().join() === batch.responseMask.flat().join() &&
      (toRows(m.terms)[i] ?? []).every((x) => x === 0) &&
      (toRows(g.dLogProbs)[i] ?? []).every((x) => x === 0) &&
      (toRows(g.dEntropy as NDArray)[i] ?? []).every((x) => x === 0)
    )
  },
  { numRuns: 60 }
)

property(
  'a disabled mask masks nothing: the denominator, terms and policy-gradient masks all equal the response mask',
  [arbSettings, arbBatch()],
  (s, b) => {
    const m = lossMasks(N)({ ...s.mask, enabled: false })(toInputs(b))
    const r = b.responseMask.flat().join()
    return [m.denominator, m.terms, m.pg].every((x) => toRows(x).flat().join() === r)
  }
)
