/**
 * The `empo2` command line: `pretrain`, `train`, `eval`, `compare`, `vectors`, `inspect`. A bad flag or
 * value prints one line naming it and exits with code 2; any other failure prints its message (the
 * stack only with `EMPO2_DEBUG=1`) and exits with code 1.
 */
import { Command, CommanderError } from 'commander'
import { vectorsCommand } from './vectors.ts'
import { pretrainCommand } from './pretrain.ts'
import { trainCommand } from './train.ts'
import { evalCommand } from './eval.ts'
import { compareCommand } from './compare.ts'
import { inspectCommand } from './inspect.ts'

const usageErrors = new Set([
  'commander.unknownOption',
  'commander.unknownCommand',
  'commander.missingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.optionMissingArgument',
  'commander.invalidArgument',
  'commander.excessArguments',
  'commander.conflictingOption'
])

/** The program with every command; `exitOverride` everywhere so main decides the exit code. */
export const program = (): Command => {
  const p = new Command('empo2')
    .description('EMPO²: memory-augmented RL for LLM agents — a functional reference implementation')
    .showHelpAfterError('(add --help for usage)')
  for (const c of [
    pretrainCommand(),
    trainCommand(),
    evalCommand(),
    compareCommand(),
    vectorsCommand(),
    inspectCommand()
  ])
    p.addCommand(c.showHelpAfterError('(add --help for usage)'))
  const override = (c: Command): void => {
    c.exitOverride()
    c.commands.forEach(override)
  }
  override(p)
  return p
}

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  try {
    await program().parseAsync([...argv])
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return 0
      return usageErrors.has(e.code) ? 2 : e.exitCode || 1
    }
    const msg = e instanceof Error ? e.message : String(e)
    process.stderr.write(`empo2: ${msg}\n`)
    if (process.env['EMPO2_DEBUG'] === '1' && e instanceof Error && e.stack !== undefined)
      process.stderr.write(`${e.stack}\n`)
    return 1
  }
}

process.exitCode = await main(process.argv)
