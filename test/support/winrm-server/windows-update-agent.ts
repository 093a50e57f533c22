import type { CommandInvocation, ScriptStep } from './command-table.js';
import type { WinrmTestServer } from './server.js';

/**
 * A simulated Windows host behind the WinRM test server, for the shipped windows-* playbooks: the Windows Update
 * Agent (pending updates with their categories and install outcomes), the reboot-pending state that installed
 * updates leave until the server's simulated reboot, Get-HotFix and the uninstall registry, the OS facts, free
 * disk and the wuauserv service. It answers each playbook command the way that command's PowerShell would on
 * Windows PowerShell 5.1: the same lines, the same `redback:wua` JSON (ConvertTo-Json -Compress, which escapes
 * < > & ' as \uXXXX), CRLF line ends and the same exit codes.
 *
 * It reads the WUA step's script for what the script itself decides — `$checkMode`, `$onlyKbs`, and which of the
 * shipped category filters it uses — and fails loudly on a script it does not know, so a changed playbook cannot
 * pass against a stale simulation.
 */
export const WUA_CATEGORY = {
  security: '0fa1201d-4330-4fa8-8ae9-b877473b6441',
  critical: 'e6cf1350-c01b-414d-a61f-263d14d133b4',
  updates: 'cd5ffd1e-e932-4e3a-bf74-18bf0b1bbd83',
  upgrades: '3689bdc8-b205-4af4-8d4a-a63924c5e9d5',
} as const;

/** IUpdateInstallationResult.ResultCode names, as the playbooks map them. */
export type WuaResult = 'succeeded' | 'succeeded-with-errors' | 'failed' | 'aborted';

export interface SimulatedUpdate {
  kb: string;
  title: string;
  categories: Array<keyof typeof WUA_CATEGORY>;
  /** What Install() reports for it. Default succeeded. */
  installResult?: WuaResult;
  /** HResult of a failed install, e.g. 0x80070643 (ERROR_INSTALL_FAILURE) as the signed int COM returns. */
  hresult?: number;
  /** The update needs a restart to finish (IUpdateInstallationResult.RebootRequired). */
  rebootRequired?: boolean;
  /** InstallationBehavior.CanRequestUserInput: the playbooks skip these. */
  canRequestUserInput?: boolean;
}

export interface SimulatedProgram {
  name: string;
  version: string;
  publisher: string;
}

export interface SimulatedWindowsHostOptions {
  updates?: SimulatedUpdate[];
  /** Installed updates before the test: KB and install date (yyyy-MM-dd). */
  hotfixes?: Array<{ kb: string; installedOn: string }>;
  programs?: SimulatedProgram[];
  os?: { caption: string; version: string; ubr: number; architecture: string };
  freeGiB?: number;
  wuauservStartType?: 'Automatic' | 'Manual' | 'Disabled';
  /** The date Get-HotFix reports for updates installed during the test. */
  today?: string;
}

/** 0x80070643 ERROR_INSTALL_FAILURE, the HResult of a failed MSI-based update. */
export const HRESULT_INSTALL_FAILURE = -2147023293;

export class SimulatedWindowsHost {
  readonly pending: SimulatedUpdate[];
  readonly hotfixes: Array<{ kb: string; installedOn: string }>;
  /** Every WUA step the host ran, with what it decided: for assertions that check mode installed nothing. */
  readonly wuaRuns: Array<{ checkMode: boolean; onlyKbs: string[]; installed: string[] }> = [];
  private rebootPendingSince: number | undefined;
  private readonly options: Required<Omit<SimulatedWindowsHostOptions, 'updates' | 'hotfixes'>>;

  constructor(
    private readonly server: WinrmTestServer,
    options: SimulatedWindowsHostOptions = {},
  ) {
    this.pending = [...(options.updates ?? [])];
    this.hotfixes = [...(options.hotfixes ?? [])];
    this.options = {
      programs: options.programs ?? [],
      os: options.os ?? { caption: 'Microsoft Windows Server 2022 Standard', version: '10.0.20348', ubr: 2227, architecture: '64-bit' },
      freeGiB: options.freeGiB ?? 41.7,
      wuauservStartType: options.wuauservStartType ?? 'Manual',
      today: options.today ?? '2026-03-11',
    };
    this.register();
  }

  /** Installed updates wait for a restart until the server's next simulated reboot. */
  get rebootPending(): boolean {
    return this.rebootPendingSince !== undefined && this.rebootPendingSince === this.server.reboots;
  }

  private register(): void {
    const add = (match: RegExp, steps: (invocation: CommandInvocation) => ScriptStep[]): void => this.server.commands.add({ match, steps });
    add(/Win32_LogicalDisk/, () => this.freeSpace());
    add(/Get-Service -Name wuauserv/, () => this.wuauserv());
    add(/New-Object -ComObject Microsoft\.Update\.Session/, (invocation) => this.windowsUpdate(invocation.powershell ?? ''));
    add(/Component Based Servicing\\RebootPending/, () => [{ exit: this.rebootPending ? 0 : 1 }]);
    add(/"reboot required: \$\(\$info\.RebootRequired\)"/, () => [{ stdout: `reboot required: ${this.rebootPending ? 'True' : 'False'}\r\n` }, { exit: 0 }]);
    add(/redback:fact os_id windows/, () => this.facts());
    add(/Get-HotFix/, () => this.installedPackages());
  }

  private freeSpace(): ScriptStep[] {
    const lines = [`${this.options.freeGiB} GiB free on C:`];
    if (this.options.freeGiB < 4) lines.push('need at least 4 GiB free on C:');
    return [{ stdout: crlf(lines) }, { exit: this.options.freeGiB < 4 ? 1 : 0 }];
  }

  private wuauserv(): ScriptStep[] {
    if (this.options.wuauservStartType === 'Disabled') {
      return [{ stdout: crlf(['the Windows Update service (wuauserv) is disabled: enable it before patching']) }, { exit: 1 }];
    }
    return [{ stdout: crlf([`wuauserv start type: ${this.options.wuauservStartType}`]) }, { exit: 0 }];
  }

  private facts(): ScriptStep[] {
    const { os } = this.options;
    const boot = this.server.bootTime.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return [
      {
        stdout: crlf([
          'redback:fact os_id windows',
          `redback:fact os_name ${os.caption}`,
          `redback:fact os_version ${os.version}`,
          `redback:fact kernel ${os.version}.${os.ubr}`,
          `redback:fact arch ${os.architecture}`,
          `redback:fact boot_time ${boot}`,
        ]),
      },
      { exit: 0 },
    ];
  }

  private installedPackages(): ScriptStep[] {
    const lines = [
      ...this.hotfixes.map((h) => `${h.kb}\t${h.installedOn}\t\thotfix`),
      ...this.options.programs.map((p) => `${p.name}\t${p.version}\t\t${p.publisher}`),
    ];
    return [{ stdout: crlf(lines) }, { exit: 0 }];
  }

  /** The shipped WUA step: search, filter, (install), print one line per update and the `redback:wua` report. */
  private windowsUpdate(script: string): ScriptStep[] {
    const checkMode = scriptValue(script, /^\$checkMode = \$(true|false)$/m) === 'true';
    const onlyKbs = [...(scriptValue(script, /^\$onlyKbs = @\(([^)]*)\)$/m) ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1] as string);
    const wanted = categoryFilter(script);
    const searched = this.pending.length;
    const report: Array<{ kb: string; title: string; result: string; hresult: number; rebootRequired: boolean; reason?: string }> = [];
    const selected: SimulatedUpdate[] = [];
    for (const update of this.pending) {
      if (onlyKbs.length > 0 ? !onlyKbs.includes(update.kb) : !wanted(update.categories.map((c) => WUA_CATEGORY[c]))) continue;
      const entry: (typeof report)[number] = { kb: update.kb, title: update.title, result: 'planned', hresult: 0, rebootRequired: false };
      if (update.canRequestUserInput === true) {
        entry.result = 'skipped';
        entry.reason = 'the update asks for user input';
      } else {
        selected.push(update);
      }
      report.push(entry);
    }
    let rebootRequired = false;
    const installed: string[] = [];
    if (!checkMode && selected.length > 0) {
      const installable = report.filter((entry) => entry.result === 'planned');
      selected.forEach((update, index) => {
        const entry = installable[index] as (typeof report)[number];
        const result = update.installResult ?? 'succeeded';
        const succeeded = result === 'succeeded' || result === 'succeeded-with-errors';
        entry.result = result;
        entry.hresult = succeeded ? 0 : (update.hresult ?? HRESULT_INSTALL_FAILURE);
        entry.rebootRequired = succeeded && update.rebootRequired === true;
        rebootRequired ||= entry.rebootRequired;
        if (succeeded) installed.push(update.kb);
      });
      for (const kb of installed) {
        this.pending.splice(this.pending.findIndex((u) => u.kb === kb), 1);
        this.hotfixes.push({ kb, installedOn: this.options.today });
      }
      if (rebootRequired) this.rebootPendingSince = this.server.reboots;
    }
    this.wuaRuns.push({ checkMode, onlyKbs, installed });
    const summary = { mode: checkMode ? 'check' : 'install', searched, updates: report, rebootRequired };
    const lines = [...report.map((entry) => `${entry.result} ${entry.kb} ${entry.title}`), `redback:wua ${convertToJsonCompress(summary)}`];
    const failed = report.some((entry) => entry.result === 'failed' || entry.result === 'aborted');
    return [{ stdout: crlf(lines) }, { exit: failed ? 1 : 0 }];
  }
}

function scriptValue(script: string, pattern: RegExp): string | undefined {
  const match = pattern.exec(script);
  if (match === null) throw new Error(`the simulated Windows Update Agent does not recognise this script (no ${pattern.source})`);
  return match[1];
}

/** The three category filters of the shipped playbooks (security-patch, update, upgrade). */
function categoryFilter(script: string): (categories: string[]) => boolean {
  if (script.includes('} elseif (-not ($categories -contains $securityUpdates)) { continue }')) return (c) => c.includes(WUA_CATEGORY.security);
  if (script.includes('} elseif (-not (-not ($categories -contains $upgrades))) { continue }')) return (c) => !c.includes(WUA_CATEGORY.upgrades);
  if (script.includes('} elseif (-not ($true)) { continue }')) return () => true;
  throw new Error('the simulated Windows Update Agent does not recognise the category filter of this script');
}

/** Windows PowerShell 5.1 `ConvertTo-Json -Compress`: JavaScriptSerializer escapes these characters. */
function convertToJsonCompress(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function crlf(lines: readonly string[]): string {
  return lines.map((line) => `${line}\r\n`).join('');
}
