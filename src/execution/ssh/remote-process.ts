import { quotePosix } from '../shell-quote.js';

/**
 * How a command runs on a POSIX host so that it can be stopped for sure.
 *
 * sshd starts every exec session without a pty in a new session (setsid), so the login shell is the leader of a
 * process group that holds the command and everything it forks. The wrapper reports that group's id on stderr
 * before anything else runs, then `exec`s the command (same pid, same group). To stop it, a second channel on
 * the same connection kills the whole group (TERM, a grace period, then KILL): closing the channel alone would
 * leave the process running on the host until it next writes.
 */

/** Starts and ends the line the wrapper writes to stderr; the line is removed from the command's stderr. */
const MARKER_PREFIX = '\u001eredback-pgid=';
const MARKER_SUFFIX = '\u001e';

export function wrapCommand(command: string, options: { become: boolean }): string {
  const run = options.become ? `exec sudo -n -- /bin/sh -c ${quotePosix(command)}` : `exec /bin/sh -c ${quotePosix(command)}`;
  return `printf '${MARKER_PREFIX}%s${MARKER_SUFFIX}\\n' "$$" >&2; ${run}`;
}

/** The process group id if `line` is the wrapper's marker line. */
export function parseMarker(line: string): number | undefined {
  if (!line.startsWith(MARKER_PREFIX) || !line.endsWith(MARKER_SUFFIX)) return undefined;
  const value = Number(line.slice(MARKER_PREFIX.length, -MARKER_SUFFIX.length));
  return Number.isInteger(value) && value > 1 ? value : undefined;
}

/**
 * Kills process group `pgid` and anything else left in its session: TERM first so programs can clean up (sudo
 * passes TERM on to its command), KILL after `graceSeconds`. Exits 0 when nothing is left, 1 otherwise.
 */
export function killCommand(pgid: number, options: { become: boolean; graceSeconds?: number }): string {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`refusing to kill process group ${pgid}: expected a pid above 1`);
  const steps = Math.max(1, Math.round((options.graceSeconds ?? 2) * 10));
  const script = [
    `alive() { kill -0 -- -${pgid} 2>/dev/null || { command -v pgrep >/dev/null && pgrep -s ${pgid} >/dev/null; }; }`,
    `kill -TERM -- -${pgid} 2>/dev/null; command -v pkill >/dev/null && pkill -TERM -s ${pgid} 2>/dev/null`,
    `i=0; while alive && [ $i -lt ${steps} ]; do sleep 0.1; i=$((i+1)); done`,
    `kill -KILL -- -${pgid} 2>/dev/null; command -v pkill >/dev/null && pkill -KILL -s ${pgid} 2>/dev/null`,
    // Killed processes stay in the group as zombies until their parent (or init) reaps them.
    'i=0; while alive && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done',
    'if alive; then exit 1; fi; exit 0',
  ].join('\n');
  return options.become ? `sudo -n -- /bin/sh -c ${quotePosix(script)}` : `/bin/sh -c ${quotePosix(script)}`;
}
