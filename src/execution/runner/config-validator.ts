import type { ResolvedConfig } from '../../config/index.js';
import type { ConfigIssue } from '../../errors.js';
import { checkPlaybookTemplates } from './plan.js';

/**
 * The template checks of every configured playbook as config issues, so `redback validate` (and every command
 * that loads the configuration) reports a `{{ typo }}` before any run compiles the playbook.
 */
export function checkConfiguredPlaybookTemplates(config: ResolvedConfig): ConfigIssue[] {
  return config.playbooks.flatMap((playbook) =>
    checkPlaybookTemplates(playbook).map((issue) => ({ file: issue.file, path: issue.path, message: issue.message, severity: 'error' as const })),
  );
}
