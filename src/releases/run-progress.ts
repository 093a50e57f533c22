import { formatDuration } from '../domain/index.js';
import type { RunEvent } from '../execution/index.js';

/**
 * One line for a person about a playbook runner event (`pre-check: a shell answers …`, `step write marker:
 * changed (exit 0)`); undefined for output lines, which are shown as they are.
 */
export function describeRunEvent(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'command-start':
      return `${event.phase}${event.phase === 'step' ? '' : ':'} ${event.name}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''} …`;
    case 'command-end':
      return `${event.result.phase} ${event.result.name}: ${event.result.status}${event.result.exitCode === null ? '' : ` (exit ${event.result.exitCode})`}`;
    case 'retry':
      return `retrying ${event.name} in ${formatDuration(event.delayMs)}: ${event.reason}`;
    case 'reboot':
      return event.state === 'started' ? 'rebooting, waiting for the host to return …' : 'back after reboot';
    case 'output':
      return undefined;
  }
}
