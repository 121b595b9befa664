/**
 * A bridge server for the embedded suite: `node --import tsx src/effects/env/serveSuite.ts` speaks
 * the JSON-lines protocol on stdio. Tests attach it as a real child process; it is also the
 * reference server a port to another language can be checked against.
 *
 * @since 0.1.0
 */
import { embeddedSuite } from './inProcess.ts'
import { serveBridge } from './bridge.ts'

await serveBridge(embeddedSuite(), process.stdin, process.stdout)
process.exit(0)
