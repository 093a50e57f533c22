import type { Command } from 'commander';

export function registerApiCommand(program: Command): void {
  program
    .command('api')
    .description('Run the HTTP API role (not yet: it comes with the console issue)')
    .option('--config <dir>', 'configuration directory')
    .action(() => {
      process.stderr.write('redback api: the HTTP API and console come with the console issue; until then use `redback batches` and `redback runs`\n');
      process.exitCode = 2;
    });
}
