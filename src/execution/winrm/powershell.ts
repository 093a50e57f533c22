/**
 * PowerShell over a WinRS cmd shell: the script travels as `-EncodedCommand` (base64 of UTF-16LE), so
 * cmd.exe sees only base64 characters and nothing in the script can be read as a cmd metacharacter.
 */

/** cmd.exe passes at most this many characters of command line to a process. */
export const MAX_COMMAND_LINE = 8191;

export const POWERSHELL_EXECUTABLE = 'powershell.exe';
const POWERSHELL_FLAGS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand'];

export function encodePowerShell(script: string): string {
  // Progress records would otherwise arrive on stderr as CLIXML noise.
  return Buffer.from(`$ProgressPreference = 'SilentlyContinue'\n${script}`, 'utf16le').toString('base64');
}

/** The command and argument list for a PowerShell script; throws when the line would exceed cmd.exe's limit. */
export function powerShellCommand(script: string): { command: string; args: string[]; length: number } {
  const args = [...POWERSHELL_FLAGS, encodePowerShell(script)];
  const length = [POWERSHELL_EXECUTABLE, ...args].join(' ').length;
  return { command: POWERSHELL_EXECUTABLE, args: [args.join(' ')], length };
}

const CLIXML_PREFIX = '#< CLIXML';

/**
 * powershell.exe writes errors to a redirected stderr as CLIXML. Returns the readable text of its error
 * strings; other text is returned unchanged.
 */
export function decodeClixml(stderr: string): string {
  if (!stderr.startsWith(CLIXML_PREFIX)) return stderr;
  const parts: string[] = [];
  for (const match of stderr.matchAll(/<S S="Error">([\s\S]*?)<\/S>/g)) {
    parts.push(
      (match[1] ?? '')
        .replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, '&'),
    );
  }
  return parts.join('');
}
