/**
 * The scriptable command table: what the fake Windows host does when it is asked to run a command line.
 * A test adds entries that match on the command line or on the decoded PowerShell source, and gives a
 * timeline of output, delays, silences and an exit code.
 */
export interface CommandInvocation {
  /** `rsp:Command` as sent. */
  command: string;
  /** `rsp:Arguments`, each as sent. */
  arguments: readonly string[];
  /** Command and arguments joined with spaces, as Windows builds the process command line. */
  commandLine: string;
  /** The script when the command line is `powershell … -EncodedCommand <base64 UTF-16LE>`. */
  powershell: string | undefined;
  shellId: string;
  codepage: number;
  environment: Readonly<Record<string, string>>;
  workingDirectory: string | undefined;
  skipCmdShell: boolean;
}

export type ScriptStep =
  /** Output in the shell's code page (strings) or raw bytes (Buffers), as one chunk. */
  | { stdout: string | Buffer }
  | { stderr: string | Buffer }
  | { delayMs: number }
  /** Stays silent until this many Receive requests have timed out (deterministic "longer than OperationTimeout"). */
  | { silentPolls: number }
  /** Waits until stdin was closed by a Send with End="true". */
  | { waitForStdin: true }
  /** Steps computed from what arrived on stdin so far. */
  | { then: (stdin: Buffer, invocation: CommandInvocation) => ScriptStep[] }
  /** Ends the command with this exit code. */
  | { exit: number }
  /** Never ends on its own; only a Signal or Delete stops it. */
  | { hang: true }
  /** Simulates `Restart-Computer`: once this command is done, the host goes down and comes back later. */
  | { reboot: true };

export type CommandMatcher = string | RegExp | ((invocation: CommandInvocation) => boolean);

export interface CommandScript {
  /** A string matches the whole command line or PowerShell script exactly; a RegExp searches either. */
  match: CommandMatcher;
  steps: ScriptStep[] | ((invocation: CommandInvocation) => ScriptStep[]);
  /** Match only this many times, then fall through to later entries (default: always). */
  times?: number;
}

export class CommandTable {
  private readonly entries: { script: CommandScript; used: number }[] = [];

  /** Adds an entry in front of the earlier ones: the most recently added match wins. */
  add(script: CommandScript): void {
    this.entries.unshift({ script, used: 0 });
  }

  clear(): void {
    this.entries.length = 0;
  }

  resolve(invocation: CommandInvocation): ScriptStep[] | undefined {
    for (const entry of this.entries) {
      const { script } = entry;
      if (script.times !== undefined && entry.used >= script.times) continue;
      if (!matches(script.match, invocation)) continue;
      entry.used += 1;
      return typeof script.steps === 'function' ? script.steps(invocation) : [...script.steps];
    }
    return undefined;
  }
}

function matches(matcher: CommandMatcher, invocation: CommandInvocation): boolean {
  if (typeof matcher === 'function') return matcher(invocation);
  const candidates = [invocation.commandLine, invocation.powershell].filter((value): value is string => value !== undefined);
  if (typeof matcher === 'string') return candidates.includes(matcher);
  return candidates.some((candidate) => matcher.test(candidate));
}

/** Finds `-EncodedCommand <base64>` (any abbreviation PowerShell accepts: -e, -ec, -enc, …) and decodes it as UTF-16LE. */
export function decodeEncodedCommand(commandLine: string): string | undefined {
  const tokens = commandLine.trim().split(/\s+/);
  const executable = (tokens[0] ?? '').toLowerCase();
  if (!/(^|\\)(powershell|pwsh)(\.exe)?$/.test(executable)) return undefined;
  for (let index = 1; index < tokens.length - 1; index += 1) {
    const token = (tokens[index] ?? '').toLowerCase();
    if (/^[-/]e(c|n|nc|nco|ncod|ncode|ncoded|ncodedc|ncodedco|ncodedcom|ncodedcomm|ncodedcomma|ncodedcomman|ncodedcommand)?$/.test(token)) {
      return Buffer.from(tokens[index + 1] ?? '', 'base64').toString('utf16le');
    }
  }
  return undefined;
}

/** The built-in behaviour of the fake host, consulted after the test's own entries. */
export function builtInSteps(invocation: CommandInvocation, bootTime: () => string): ScriptStep[] {
  const script = invocation.powershell;
  if (script !== undefined) return powerShellSteps(script, bootTime);
  // Without WINRS_SKIP_CMD_SHELL the line runs through cmd.exe /c.
  const line = invocation.commandLine.replace(/^cmd(\.exe)?\s+\/c\s+/i, '');
  const echo = /^echo(?:\s(.*)|\.)?$/is.exec(line);
  if (echo !== null) return [{ stdout: `${echo[1] ?? ''}\r\n` }, { exit: 0 }];
  const exit = /^exit\s+(?:\/b\s+)?(-?\d+)$/i.exec(line);
  if (exit !== null) return [{ exit: Number(exit[1]) }];
  if (/^shutdown(\.exe)?\s+.*\/r\b/i.test(line)) return [{ exit: 0 }, { reboot: true }];
  if (/^hostname$/i.test(line)) return [{ stdout: 'WIN-TESTSERVER\r\n' }, { exit: 0 }];
  const name = line.split(/\s+/)[0] ?? '';
  return [{ stderr: `'${name}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n` }, { exit: 1 }];
}

/** A tiny PowerShell: statements split at newlines and `;`, variable assignments ignored. */
function powerShellSteps(script: string, bootTime: () => string): ScriptStep[] {
  const statements = script
    .split(/\r?\n|;/)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '' && !/^\$[\w:]+\s*=/.test(statement));
  const steps: ScriptStep[] = [];
  for (const statement of statements) {
    if (/LastBootUpTime/i.test(statement)) {
      steps.push({ stdout: `${bootTime()}\r\n` });
      continue;
    }
    if (/^Restart-Computer\b/i.test(statement)) {
      steps.push({ exit: 0 }, { reboot: true });
      return steps;
    }
    const write = /^Write-(?:Output|Host)\s+(?:'([^']*)'|"([^"]*)"|(.*?))$/i.exec(statement);
    if (write !== null) {
      steps.push({ stdout: `${write[1] ?? write[2] ?? write[3] ?? ''}\r\n` });
      continue;
    }
    const exit = /^exit\s+(-?\d+)$/i.exec(statement);
    if (exit !== null) {
      steps.push({ exit: Number(exit[1]) });
      return steps;
    }
    steps.push(
      { stderr: `#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">The term '${escapeClixml(statement)}' is not recognized by the test server._x000D__x000A_</S></Objs>` },
      { exit: 1 },
    );
    return steps;
  }
  steps.push({ exit: 0 });
  return steps;
}

function escapeClixml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
