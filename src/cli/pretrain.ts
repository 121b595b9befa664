/**
 * `empo2 pretrain`: build the prior's corpus from training variants (src/core/prior/corpus.ts), fit the
 * prior (src/effects/train/pretrain.ts) and write the checkpoint with its provenance. The committed
 * `prior/default.ckpt` is this command with its defaults.
 */
import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import { Command } from 'commander'
import { corpus, defaultCorpusOptions } from '../core/prior/corpus.ts'
import { mkRng } from '../core/rng.ts'
import * as E from 'fp-ts/lib/Either.js'
import { decodeModelConfig, priorModelConfig } from '../spec/model.ts'
import { showDecodeError } from '../spec/codec.ts'
import { defaultPriorPath } from '../spec/run.ts'
import { selectBackend, type BackendName } from '../effects/tensor/backend.ts'
import { fitPrior, savePrior } from '../effects/train/pretrain.ts'
import { mkProgress } from '../effects/progress.ts'
import { backendArg, intArg, positiveArg, shareArg } from './args.ts'
import { nonNegativeInt } from '../spec/brands.ts'

/** The defaults of `empo2 pretrain` (those of the committed prior). */
export const pretrainDefaults = { steps: 2000, batch: 32, lr: 3e-3, seed: 0, maxPieces: 600 } as const

/** The settings `prior/default.ckpt` was fitted with, by option name. */
const committedSettings = {
  steps: pretrainDefaults.steps,
  batch: pretrainDefaults.batch,
  lr: pretrainDefaults.lr,
  seed: pretrainDefaults.seed,
  aliasShare: defaultCorpusOptions.aliasShare,
  tipsShown: defaultCorpusOptions.agent.maxTipsShown,
  gainRepeat: defaultCorpusOptions.gainRepeat,
  width: priorModelConfig.width,
  depth: priorModelConfig.depth,
  heads: priorModelConfig.heads
}

interface Opts {
  readonly out: string
  readonly steps: number
  readonly batch: number
  readonly lr: number
  readonly seed: number
  readonly aliasShare: number
  readonly tipsShown: number
  readonly gainRepeat: number
  readonly width: number
  readonly depth: number
  readonly heads: number
  readonly backend?: BackendName
  readonly json?: boolean
}

export const pretrainCommand = (): Command =>
  new Command('pretrain')
    .description(
      'fit the instruction-following prior on a corpus from training variants only (docs/prior.md)'
    )
    .option('-o, --out <path>', 'checkpoint to write', defaultPriorPath)
    .option('--steps <n>', 'Adam steps', intArg(1), pretrainDefaults.steps)
    .option('--batch <n>', 'examples per step', intArg(1), pretrainDefaults.batch)
    .option('--lr <x>', 'learning rate', positiveArg, pretrainDefaults.lr)
    .option(
      '--seed <n>',
      'seed of the corpus and of the minibatch order',
      intArg(0, 2 ** 32 - 1),
      pretrainDefaults.seed
    )
    .option(
      '--alias-share <x>',
      'share of corpus episodes shown with other names for their objects (docs/prior.md)',
      shareArg,
      defaultCorpusOptions.aliasShare
    )
    .option(
      '--tips-shown <n>',
      'at most this many retrieved tips in a corpus prompt',
      intArg(1),
      defaultCorpusOptions.agent.maxTipsShown
    )
    .option(
      '--gain-repeat <n>',
      'times each with-tips example whose target gains score is in the corpus (docs/prior.md)',
      intArg(1),
      defaultCorpusOptions.gainRepeat
    )
    .option(
      '--width <n>',
      "the model's residual width (another shape may need another --lr)",
      intArg(1),
      priorModelConfig.width
    )
    .option('--depth <n>', "the model's number of transformer blocks", intArg(1), priorModelConfig.depth)
    .option('--heads <n>', 'attention heads (must divide --width)', intArg(1), priorModelConfig.heads)
    .option('--backend <name>', 'tensor backend (default: the first that loads)', backendArg)
    .option('--json', 'print one JSON object instead of text')
    .action(async (o: Opts) => {
      // checked before the corpus is built: a prior that would overwrite the committed one, or a
      // shape that cannot be built, fails at once, by name
      const changed = Object.entries(committedSettings).filter(([k, v]) => o[k as keyof Opts] !== v)
      if (resolve(o.out) === resolve(defaultPriorPath) && changed.length > 0)
        throw new Error(
          `${changed.map(([k]) => `--${k.replace(/[A-Z]/gu, (c) => `-${c.toLowerCase()}`)}`).join(', ')} ${changed.length === 1 ? 'differs' : 'differ'} from the committed prior's settings: write it elsewhere with -o (${defaultPriorPath} is the committed prior, which \`npm run pretrain\` rebuilds)`
        )
      const shape = decodeModelConfig({ ...priorModelConfig, width: o.width, depth: o.depth, heads: o.heads })
      if (E.isLeft(shape))
        throw new Error(
          `--width ${o.width} --depth ${o.depth} --heads ${o.heads}: ${showDecodeError(shape.left)}`
        )
      const model = shape.right
      // the backend is part of the recipe: bit for bit, a prior rebuilds only on the one it was fitted on
      const backend = await selectBackend(o.backend === undefined ? {} : { prefer: o.backend })
      const options = {
        ...defaultCorpusOptions,
        aliasShare: o.aliasShare,
        gainRepeat: o.gainRepeat,
        agent: { ...defaultCorpusOptions.agent, maxTipsShown: nonNegativeInt(o.tipsShown) }
      }
      const c = corpus(options, o.seed)
      if (c._tag === 'Left') throw new Error(c.left)
      const progress = mkProgress('pretrain', o.steps, { silent: o.json === true })
      const t0 = Date.now()
      const report = fitPrior(
        c.right,
        {
          model,
          maxPieces: pretrainDefaults.maxPieces,
          steps: o.steps,
          batchSize: o.batch,
          learningRate: o.lr,
          gradClip: 1
        },
        mkRng(o.seed),
        (step, loss) => progress.update(step + 1, { loss })
      )
      progress.stop()
      const tail = report.losses.slice(-50)
      const finalLoss = tail.reduce((a, b) => a + b, 0) / tail.length
      const provenance = {
        command: `empo2 pretrain --steps ${o.steps} --batch ${o.batch} --lr ${o.lr} --seed ${o.seed} --alias-share ${o.aliasShare} --tips-shown ${o.tipsShown} --gain-repeat ${o.gainRepeat} --width ${o.width} --depth ${o.depth} --heads ${o.heads} --backend ${backend.name}`,
        corpus: {
          options,
          examples: c.right.length,
          seed: o.seed,
          sha256: createHash('sha256').update(JSON.stringify(c)).digest('hex')
        },
        model: report.model.config,
        pieces: report.pieces,
        steps: o.steps,
        finalLoss,
        seconds: (Date.now() - t0) / 1000,
        backend: backend.name
      }
      savePrior(o.out, report, provenance)
      if (o.json === true) console.log(JSON.stringify({ out: o.out, ...provenance }))
      else
        console.log(
          `wrote ${o.out}: ${c.right.length} examples, ${report.pieces} word pieces, ${o.steps} steps, mean loss of the last 50 steps ${finalLoss.toFixed(3)} (${provenance.seconds.toFixed(0)} s)`
        )
    })
