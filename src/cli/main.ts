/**
 * The `empo2` command line: `pretrain`, `train`, `eval`, `compare`, `vectors`, `inspect`. Each command
 * lives in its own module as a builder returning a commander `Command`; {@link program} adds them and
 * gives every one the same error handling. A bad flag or value prints one line naming it and exits
 * with code 2; any other failure prints its message (the stack only with `EMPO2_DEBUG=1`) and exits
 * with code 1.
 */
import { readFileSync } from 'node:fs'
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
  'commander.invalidOptionArgument',
  'commander.excessArguments',
  'commander.conflictingOption'
])

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/** `empo2 inspect` for the inspect command: what a user types. */
const commandPath = (c: Command): string =>
  c.parent === null ? c.name() : `${commandPath(c.parent)} ${c.name()}`

/**
 * Give a command (and its subcommands) the CLI's error handling: commander throws instead of exiting
 * (main decides the exit code), and its error is one line, `empo2 inspect: unknown option '--bogus'
 * (see empo2 inspect --help)`.
 */
export const withErrorHandling = (c: Command): Command => {
  c.exitOverride().configureOutput({
    outputError: (message, write) =>
      write(
        `${commandPath(c)}: ${message
          .replace(/^error: /u, '')
          .replace(/\s*\n\s*/gu, ' ')
          .trim()} (see ${commandPath(c)} --help)\n`
      )
  })
  c.commands.forEach(withErrorHandling)
  return c
}

/**
 * The builders of the CLI's commands, in the order `--help` lists them. A new command is a module
 * exporting `xCommand(): Command` and one line here.
 */
export const commands: ReadonlyArray<() => Command> = [
  pretrainCommand,
  trainCommand,
  evalCommand,
  compareCommand,
  vectorsCommand,
  inspectCommand
]

/** The program with every command and the CLI's error handling. */
export const program = (): Command => {
  const p = new Command('empo2')
    .description('EMPO²: memory-augmented RL for LLM agents — a functional reference implementation')
    .version(version, '-V, --version', 'print the version')
  for (const build of commands) p.addCommand(build())
  return withErrorHandling(p)
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
