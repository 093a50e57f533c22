import { quotePosix } from '../shell-quote.js';

/**
 * How a command runs on a POSIX host so that it can be stopped for sure.
 *
 * sshd starts every exec session without a pty in a new session (setsid), so the login shell leads a process
 * group that holds the command and everything it forks. The wrapper reports that id on stderr before anything
 * else runs, then `exec`s the command (same pid, same group). With `become`, sudo may start the command in a
 * session of its own (Debian's sudoers sets `use_pty`), so the shell under sudo reports its id too. To stop the
 * command, a second channel on the same connection kills every reported group and session: TERM, a grace period,
 * then KILL. Closing the channel alone would leave the process running on the host until it next writes.
 */

/** Starts and ends the line the wrapper writes to stderr; the line is removed from the command's stderr. */
const MARKER_PREFIX = '\u001eredback-pgid=';
const MARKER_SUFFIX = '\u001e';
const REPORT = `printf '${MARKER_PREFIX}%s${MARKER_SUFFIX}\\n' "$$" >&2`;

export function wrapCommand(command: string, options: { become: boolean }): string {
  if (!options.become) return `${REPORT}; exec /bin/sh -c ${quotePosix(command)}`;
  // "$1" is the command, passed as an argument so it is quoted once, not twice.
  const inner = `${REPORT}; exec /bin/sh -c "$1"`;
  return `${REPORT}; exec sudo -n -- /bin/sh -c ${quotePosix(inner)} redback ${quotePosix(command)}`;
}

/** How many marker lines the wrapper writes before the command starts. */
export function expectedMarkers(options: { become: boolean }): number {
  return options.become ? 2 : 1;
}

/** The process id if `line` is one of the wrapper's marker lines. */
export function parseMarker(line: string): number | undefined {
  if (!line.startsWith(MARKER_PREFIX) || !line.endsWith(MARKER_SUFFIX)) return undefined;
  const value = Number(line.slice(MARKER_PREFIX.length, -MARKER_SUFFIX.length));
  return Number.isInteger(value) && value > 1 ? value : undefined;
}

/**
 * Kills the process groups and sessions led by `ids`: TERM first so programs can clean up, KILL after
 * `graceSeconds`, then waits for the kernel to reap them. Exits 0 when nothing is left, 1 otherwise.
 */
export function killCommand(ids: readonly number[], options: { become: boolean; graceSeconds?: number }): string {
  for (const id of ids) {
    if (!Number.isInteger(id) || id <= 1) throw new Error(`refusing to kill process group ${id}: expected a pid above 1`);
  }
  if (ids.length === 0) throw new Error('killCommand needs at least one process group id');
  const steps = Math.max(1, Math.round((options.graceSeconds ?? 2) * 10));
  const list = ids.join(' ');
  const signal = (name: string) => `for g in ${list}; do kill -${name} -- -$g 2>/dev/null; command -v pkill >/dev/null && pkill -${name} -s $g 2>/dev/null; done`;
  const script = [
    // A group or session counts as alive while any process is in it (zombies count until reaped).
    `alive() { for g in ${list}; do kill -0 -- -$g 2>/dev/null && return 0; command -v pgrep >/dev/null && pgrep -s $g >/dev/null && return 0; done; return 1; }`,
    signal('TERM'),
    `i=0; while alive && [ $i -lt ${steps} ]; do sleep 0.1; i=$((i+1)); done`,
    signal('KILL'),
    'i=0; while alive && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done',
    'if alive; then exit 1; fi; exit 0',
  ].join('\n');
  return options.become ? `sudo -n -- /bin/sh -c ${quotePosix(script)}` : `/bin/sh -c ${quotePosix(script)}`;
}
