import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { findHost } from '../../../config/index.js';
import { DURATION_HINT, parseDuration } from '../../../domain/duration.js';
import type { FailureClass } from '../../../domain/failure-class.js';
import { createSshTransport, createTransport, createWinrmTransport, TransportError, type Transport } from '../../../execution/index.js';
import { AppError } from '../../../errors.js';
import { loadConfigForCli } from '../load-config.js';

interface ExecCliOptions {
  identity?: string;
  passwordEnv?: string;
  hostKey?: string;
  knownHosts?: string;
  trustOnFirstUse?: boolean;
  ca?: string;
  auth?: 'basic' | 'ntlm';
  powershell?: boolean;
  timeout?: string;
  config?: string;
  json?: boolean;
}

/** What `--json` prints: one object, whatever happened. */
interface ExecJson {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  failureClass: FailureClass | null;
  message: string | null;
  durationMs: number;
}

/** Exit status when the command never produced one (connection, auth, host key, time-out): as ssh(1) does. */
const TRANSPORT_FAILURE_EXIT = 255;

const SSH_ONLY = ['identity', 'hostKey', 'knownHosts', 'trustOnFirstUse'] as const;
const WINRM_ONLY = ['ca', 'auth'] as const;
const FLAG: Record<string, string> = {
  identity: '--identity', passwordEnv: '--password-env', hostKey: '--host-key', knownHosts: '--known-hosts',
  trustOnFirstUse: '--trust-on-first-use', ca: '--ca', auth: '--auth',
};

export function registerExecCommand(program: Command): void {
  program
    .command('exec')
    .description('Run one command on one host and print its output; exits with the remote exit code')
    .argument('<target>', 'an inventory host id, or ssh://user@host[:port], winrm://user@host[:port] (HTTP), winrms://user@host[:port] (HTTPS)')
    .argument('<command...>', 'the command, after --; its words are joined with spaces and run by the remote shell, as ssh does')
    .option('--identity <file>', 'SSH private key file')
    .option('--password-env <name>', 'environment variable that holds the password (SSH or WinRM)')
    .option('--host-key <fingerprint>', 'pin the SSH host key: SHA256:… as ssh-keygen -lf prints it')
    .option('--known-hosts <file>', 'check the SSH host key against this known_hosts file')
    .option('--trust-on-first-use', 'accept an unknown SSH host key (recorded in --known-hosts when given)')
    .option('--ca <file>', 'CA bundle (PEM) that signs the WinRM host certificate')
    .addOption(new Option('--auth <method>', 'WinRM authentication').choices(['basic', 'ntlm']))
    .option('--powershell', 'WinRM: run the command as PowerShell')
    .option('--timeout <duration>', `time limit, ${DURATION_HINT}; the remote process is killed when it expires`)
    .option('--config <dir>', 'configuration directory for inventory targets (default: $REDBACK_CONFIG, else the current directory)')
    .option('--json', 'print { exitCode, stdout, stderr, failureClass, message, durationMs } instead of the output')
    .action(async (target: string, words: string[], options: ExecCliOptions, command: Command) => {
      const usage = (message: string): never => command.error(`error: ${message}`, { exitCode: 2, code: 'redback.usage' });
      let timeoutMs: number | undefined;
      if (options.timeout !== undefined) {
        timeoutMs = parseDuration(options.timeout);
        if (timeoutMs === undefined || timeoutMs <= 0) usage(`--timeout expects ${DURATION_HINT}, given "${options.timeout}"`);
      }
      const remoteCommand = words.join(' ');
      if (remoteCommand.trim() === '') usage('no command given; put it after --, e.g. redback exec web-01 -- uname -r');

      let transport: Transport;
      try {
        transport = target.includes('://') ? transportForUri(target, options, usage) : await transportForInventoryHost(target, options, usage);
      } catch (error) {
        if (error instanceof AppError && !(error instanceof TransportError)) usage(error.message);
        throw error;
      }
      process.exitCode = await runOnce(transport, remoteCommand, { timeoutMs, powershell: options.powershell === true, json: options.json === true });
    });
}

async function runOnce(transport: Transport, command: string, options: { timeoutMs?: number; powershell: boolean; json: boolean }): Promise<number> {
  const started = performance.now();
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const report: ExecJson = { exitCode: null, stdout: '', stderr: '', failureClass: null, message: null, durationMs: 0 };
  try {
    const result = await transport.exec(command, {
      timeoutMs: options.timeoutMs,
      signal: controller.signal,
      powershell: options.powershell || undefined,
      step: 'exec',
      onLine: options.json ? undefined : (stream, line) => (stream === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`),
    });
    Object.assign(report, { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr });
    if (result.exitCode !== 0) Object.assign(report, { failureClass: 'step-failed', message: `the command exited with code ${result.exitCode}` });
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    Object.assign(report, { failureClass: error.failureClass, message: error.message });
    if (!options.json) process.stderr.write(`redback exec: ${error.message}\n`);
  } finally {
    report.durationMs = Math.round(performance.now() - started);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await transport.close();
  }
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  return report.exitCode ?? TRANSPORT_FAILURE_EXIT;
}

async function transportForInventoryHost(id: string, options: ExecCliOptions, usage: (message: string) => never): Promise<Transport> {
  const given = [...SSH_ONLY, ...WINRM_ONLY, 'passwordEnv' as const].filter((key) => options[key] !== undefined);
  if (given.length > 0) {
    usage(`${given.map((k) => FLAG[k]).join(', ')} only apply to ssh:// and winrm:// targets; inventory host ${id} takes its credentials and host key from the inventory`);
  }
  const config = await loadConfigForCli(options.config);
  const host = findHost(config, id);
  if (host === undefined) {
    const known = config.hosts.map((h) => h.id);
    usage(`no inventory host "${id}" in ${config.dir}${known.length > 0 ? ` (hosts: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''})` : ''}; or give a URI such as ssh://user@host:22`);
  }
  return createTransport(host as NonNullable<typeof host>, { configDir: config.dir, hosts: config.hosts });
}

function transportForUri(target: string, options: ExecCliOptions, usage: (message: string) => never): Transport {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return usage(`cannot parse target "${target}"; expected ssh://user@host[:port], winrm://user@host[:port] or winrms://user@host[:port]`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const user = decodeURIComponent(url.username);
  if (!['ssh', 'winrm', 'winrms'].includes(scheme)) usage(`unknown scheme "${scheme}" in "${target}"; expected ssh, winrm or winrms`);
  if (host === '') usage(`no host in "${target}"`);
  if (user === '') usage(`no user in "${target}"; write it as ${scheme}://user@${host}`);
  if (url.password !== '') usage('do not put a password in the target URI (it would stay in shell history); use --password-env NAME');
  if (url.pathname !== '' && url.pathname !== '/') usage(`unexpected path "${url.pathname}" in "${target}"`);
  const password = options.passwordEnv === undefined ? undefined : readPasswordEnv(options.passwordEnv, usage);

  if (scheme === 'ssh') {
    const misplaced = WINRM_ONLY.filter((k) => options[k] !== undefined);
    if (misplaced.length > 0) usage(`${misplaced.map((k) => FLAG[k]).join(', ')} only apply to winrm:// and winrms:// targets`);
    if (options.powershell === true) usage('--powershell only applies to winrm:// and winrms:// targets');
    if (options.hostKey === undefined && options.knownHosts === undefined && options.trustOnFirstUse !== true) {
      usage('the SSH host key must be checked: give --host-key SHA256:… or --known-hosts FILE (or --trust-on-first-use to accept an unknown key explicitly)');
    }
    if (options.hostKey !== undefined && !/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(options.hostKey)) {
      usage(`--host-key expects an OpenSSH SHA256 fingerprint like SHA256:… (43 base64 characters), given "${options.hostKey}"`);
    }
    const agent = process.env.SSH_AUTH_SOCK;
    if (options.identity === undefined && password === undefined && (agent === undefined || agent === '')) {
      usage('no SSH credentials: give --identity FILE or --password-env NAME, or start an ssh-agent (SSH_AUTH_SOCK)');
    }
    let privateKey: Buffer | undefined;
    if (options.identity !== undefined) {
      try {
        privateKey = readFileSync(options.identity);
      } catch (error) {
        usage(`cannot read --identity ${options.identity} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path and its permissions`);
      }
    }
    return createSshTransport({
      hostId: `ssh://${user}@${host}:${url.port || 22}`,
      host,
      port: url.port === '' ? 22 : Number(url.port),
      username: user,
      privateKey,
      password,
      agent: options.identity === undefined && password === undefined ? agent : undefined,
      hostKey: {
        fingerprint: options.hostKey,
        knownHostsPath: options.knownHosts === undefined ? undefined : resolve(options.knownHosts),
        trustOnFirstUse: options.trustOnFirstUse === true,
        onLearned: (learned) => process.stderr.write(`redback exec: trusted host key ${learned.fingerprint} of ${learned.host}:${learned.port} on first use${options.knownHosts === undefined ? '' : `; recorded in ${options.knownHosts}`}\n`),
      },
    });
  }

  const misplaced = SSH_ONLY.filter((k) => options[k] !== undefined);
  if (misplaced.length > 0) usage(`${misplaced.map((k) => FLAG[k]).join(', ')} only apply to ssh:// targets`);
  if (password === undefined) usage(`${scheme}:// needs --password-env NAME (the environment variable that holds the password)`);
  let ca: Buffer | undefined;
  if (options.ca !== undefined) {
    if (scheme === 'winrm') usage('--ca only applies to winrms:// (HTTPS) targets');
    try {
      ca = readFileSync(options.ca);
    } catch (error) {
      usage(`cannot read --ca ${options.ca} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path`);
    }
  }
  const https = scheme === 'winrms';
  return createWinrmTransport({
    hostId: `${scheme}://${user}@${host}:${url.port || (https ? 5986 : 5985)}`,
    address: host,
    port: url.port === '' ? undefined : Number(url.port),
    scheme: https ? 'https' : 'http',
    user,
    password: password as string,
    auth: options.auth ?? 'ntlm',
    ca,
  });
}

function readPasswordEnv(name: string, usage: (message: string) => never): string {
  const value = process.env[name];
  if (value === undefined || value === '') usage(`--password-env ${name}: the environment variable ${name} is not set; export it first`);
  return value as string;
}
