import { loadConfig, type ResolvedConfig } from '../../config/index.js';
import type { ConfigIssue } from '../../errors.js';
import { checkConfiguredPlaybookTemplates } from '../../execution/index.js';
import { validateSchedules } from '../../scheduling/index.js';

/**
 * Checks beyond the config model that every command runs at load time (scheduling's window checks, for
 * example). `config/` cannot import them itself: it sits above `scheduling/` in the layer order.
 */
export const configValidators: Array<(config: ResolvedConfig) => ConfigIssue[]> = [(config) => validateSchedules(config), checkConfiguredPlaybookTemplates];

export async function loadConfigForCli(dir: string | undefined): Promise<ResolvedConfig> {
  return await loadConfig({ dir, validators: configValidators });
}
