import { CommanderError } from 'commander';
import { AppError } from '../../errors.js';
import { buildProgram } from './program.js';

// `redback ... | head` closes the pipe early; that is the reader's choice, not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

/** Exit codes: 0 success, 1 the thing checked failed (invalid config, failed run), 2 usage or internal error. */
async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof AppError) {
      process.stderr.write(`redback: ${error.message}\n`);
      process.exitCode = error.code === 'internal' ? 2 : 1;
      return;
    }
    process.stderr.write(`redback: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  }
}

await main();
