import { Command } from 'commander';
import { registerValidateCommand } from './commands/validate.js';
import { registerServeCommand } from './commands/serve.js';
import { registerHealthCommand } from './commands/health.js';
import { registerVersionCommand } from './commands/version.js';
import { registerCalendarCommand } from './commands/calendar.js';
import { registerExecCommand } from './commands/exec.js';
import { registerSchedulerCommand } from './commands/scheduler.js';
import { registerWorkerCommand } from './commands/worker.js';
import { registerApiCommand } from './commands/api.js';
import { registerBatchesCommand } from './commands/batches.js';
import { registerRunsCommand } from './commands/runs.js';
import { registerRunCommand } from './commands/run.js';
import { registerUsersCommand } from './commands/users.js';
import { registerTokensCommand } from './commands/tokens.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerInventoryCommand } from './commands/inventory.js';
import { registerIncidentsCommand } from './commands/incidents.js';
import { registerProblemsCommand } from './commands/problems.js';
import { registerAdvisoriesCommand, registerExposureCommand } from './commands/advisories.js';

/**
 * Builds the `redback` command tree. Each command lives in `commands/<name>.ts` and exports one
 * `register<Name>Command(program)`; keep this file a list.
 */
export function buildProgram(): Command {
  const program = new Command('redback')
    .description('Patch and release orchestrator: maintenance windows, approvals, incidents and advisories.')
    .showHelpAfterError()
    // Set before the subcommands are added: commander copies these settings into each one it creates.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  registerValidateCommand(program);
  registerServeCommand(program);
  registerHealthCommand(program);
  registerVersionCommand(program);
  registerCalendarCommand(program);
  registerExecCommand(program);
  registerSchedulerCommand(program);
  registerWorkerCommand(program);
  registerApiCommand(program);
  registerBatchesCommand(program);
  registerRunsCommand(program);
  registerRunCommand(program);
  registerInventoryCommand(program);
  registerIncidentsCommand(program);
  registerProblemsCommand(program);
  registerAdvisoriesCommand(program);
  registerExposureCommand(program);
  registerUsersCommand(program);
  registerTokensCommand(program);
  registerAuditCommand(program);
  return program;
}
