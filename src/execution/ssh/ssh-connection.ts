import { Client, type ConnectConfig } from 'ssh2';
import type { Readable } from 'node:stream';
import { TransportError } from '../transport.js';
import { prepareHostKeyPolicy, type HostKeyCheck } from './host-key-policy.js';
import { classifyConnectError } from './ssh-errors.js';
import type { SshConnectionOptions } from './ssh-options.js';

export const DEFAULT_KEEPALIVE_MS = 15_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;

/** An authenticated connection, and the jump connection it runs through (closed with it). */
export interface OpenConnection {
  client: Client;
  /** Resolves when the connection is closed, for whatever reason. */
  closed: Promise<void>;
  close(): void;
}

/**
 * Opens one authenticated SSH connection (through the jump host, when there is one). Rejects with a
 * `TransportError` of class unreachable, auth, host-key or internal.
 */
export async function openConnection(options: SshConnectionOptions, context: { step?: string; attempt?: number } = {}): Promise<OpenConnection> {
  let jump: OpenConnection | undefined;
  let sock: Readable | undefined;
  if (options.jump !== undefined) {
    jump = await openConnection(options.jump, context);
    try {
      sock = await forward(jump.client, options.host, options.port);
    } catch (error) {
      jump.close();
      throw new TransportError('unreachable', `jump host ${options.jump.hostId} could not open a tunnel to ${options.host}:${options.port}: ${(error as Error).message}`, {
        hostId: options.hostId,
        ...context,
        cause: error,
      });
    }
  }
  try {
    const connection = await connectClient(options, sock, context);
    if (jump !== undefined) {
      const j = jump;
      void connection.closed.then(() => j.close());
      return { ...connection, close: () => { connection.close(); j.close(); } };
    }
    return connection;
  } catch (error) {
    jump?.close();
    throw error;
  }
}

async function connectClient(options: SshConnectionOptions, sock: Readable | undefined, context: { step?: string; attempt?: number }): Promise<OpenConnection> {
  const fail = (failureClass: ConstructorParameters<typeof TransportError>[0], message: string, cause?: unknown) =>
    new TransportError(failureClass, message, { hostId: options.hostId, ...context, cause });

  let policy;
  try {
    policy = await prepareHostKeyPolicy(options.hostKey, options.host, options.port);
  } catch (error) {
    throw fail('host-key', (error as Error).message, error);
  }
  if (options.privateKey === undefined && options.password === undefined && options.agent === undefined) {
    throw fail('auth', `no credentials for ${options.username}@${options.host}:${options.port}: give a private key, a password or an agent`);
  }

  const client = new Client();
  let hostKeyRefused: string | undefined;
  let check: HostKeyCheck = { accepted: false };
  const config: ConnectConfig = {
    host: options.host,
    port: options.port,
    username: options.username,
    readyTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    keepaliveInterval: options.keepaliveMs ?? DEFAULT_KEEPALIVE_MS,
    keepaliveCountMax: 3,
    hostVerifier: (key: Buffer) => {
      check = policy.check(key);
      if (!check.accepted) hostKeyRefused = check.reason;
      return check.accepted;
    },
  };
  if (policy.preferredAlgorithms !== undefined) config.algorithms = { serverHostKey: policy.preferredAlgorithms as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] };
  if (sock !== undefined) config.sock = sock;
  if (options.privateKey !== undefined) config.privateKey = options.privateKey;
  if (options.passphrase !== undefined) config.passphrase = options.passphrase;
  if (options.password !== undefined) config.password = options.password;
  if (options.agent !== undefined) config.agent = options.agent;

  // Errors after a failed attempt or after ready (a dropped connection) surface through 'close' and the
  // channels; this listener keeps a late one from crashing the process.
  client.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onError = (error: unknown) => {
      client.removeListener('ready', onReady);
      client.end();
      const { failureClass, reason } = classifyConnectError(error, hostKeyRefused);
      reject(fail(failureClass, `${options.username}@${options.host}:${options.port}: ${reason}`, error));
    };
    const onReady = () => {
      client.removeListener('error', onError);
      resolve();
    };
    client.once('error', onError);
    client.once('ready', onReady);
    try {
      client.connect(config);
    } catch (error) {
      // ssh2 throws synchronously for a key it cannot parse or decrypt.
      onError(error);
    }
  });
  try {
    await policy.commit(check);
  } catch (error) {
    client.end();
    throw fail('internal', `host key learned on first use could not be recorded: ${(error as Error).message}`, error);
  }
  return { client, closed, close: () => client.end() };
}

async function forward(jump: Client, host: string, port: number): Promise<Readable> {
  return await new Promise<Readable>((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, host, port, (error, stream) => (error ? reject(error) : resolve(stream)));
  });
}
