import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { WinrmHttpError } from './errors.js';
import { authenticateMessage, negotiateMessage, parseChallengeMessage, splitNtlmUser } from './ntlm/index.js';
import { CertificatePinError, PinnedHttpsAgent } from './tls-pinning.js';

export interface ChannelSettings {
  url: URL;
  auth: 'basic' | 'ntlm';
  user: string;
  password: string;
  /** PEM of the CA that signs the host certificate (HTTPS). */
  ca?: string | Buffer;
  /** SHA-256 fingerprint of the host certificate to pin (HTTPS). */
  certificateFingerprint?: string;
  /** Socket idle time before a request is abandoned; must exceed the WS-Management OperationTimeout. */
  requestTimeoutMs: number;
  connectTimeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  body: Buffer;
  contentType: string;
}

/**
 * Two independent connections: `main` carries the shell's conversation (Create, Command, the long-poll Receive,
 * Delete), `control` carries Signal while a Receive still holds `main`. NTLM authenticates a connection, not a
 * request, so each lane keeps one keep-alive socket and runs the handshake again only when it was replaced.
 */
export type Lane = 'main' | 'control';

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'UND_ERR_SOCKET']);
const TLS_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|PIN_MISMATCH|SSL/;

export class WsmanChannel {
  private readonly agents: Record<Lane, HttpAgent>;
  private readonly authenticated: Record<Lane, boolean> = { main: false, control: false };

  constructor(private readonly settings: ChannelSettings) {
    this.agents = { main: this.createAgent(), control: this.createAgent() };
  }

  get endpoint(): string {
    return this.settings.url.toString();
  }

  /** Posts one SOAP message; resolves with any HTTP status (faults come as 500), rejects with `WinrmHttpError`. */
  async post(xml: string, lane: Lane, signal?: AbortSignal): Promise<HttpAnswer> {
    const body = Buffer.from(xml, 'utf8');
    if (this.settings.auth === 'basic') {
      const answer = await this.send(lane, body, `Basic ${Buffer.from(`${this.settings.user}:${this.settings.password}`, 'utf8').toString('base64')}`, signal);
      if (answer.status === 401) throw this.authError(answer, 'Basic');
      return answer;
    }
    if (this.authenticated[lane]) {
      const answer = await this.send(lane, body, undefined, signal);
      if (answer.status !== 401) return answer;
      // The keep-alive socket was replaced: its NTLM context went with it.
      this.authenticated[lane] = false;
    }
    return await this.ntlmHandshake(lane, body, signal);
  }

  /** Drops every socket (idempotent). */
  close(): void {
    this.agents.main.destroy();
    this.agents.control.destroy();
    this.authenticated.main = false;
    this.authenticated.control = false;
  }

  /** Forgets the sockets of one lane, e.g. after an aborted long-poll left it in an unknown state. */
  resetLane(lane: Lane): void {
    this.agents[lane].destroy();
    this.agents[lane] = this.createAgent();
    this.authenticated[lane] = false;
  }

  private async ntlmHandshake(lane: Lane, body: Buffer, signal: AbortSignal | undefined): Promise<HttpAnswer> {
    const challengeAnswer = await this.send(lane, Buffer.alloc(0), `Negotiate ${negotiateMessage().toString('base64')}`, signal);
    const offered = challengeAnswer.wwwAuthenticate.map((value) => /^(?:Negotiate|NTLM)\s+([A-Za-z0-9+/=]+)$/i.exec(value.trim())?.[1]).find((token) => token !== undefined);
    if (challengeAnswer.status !== 401 || offered === undefined) {
      if (challengeAnswer.status === 500 && challengeAnswer.body.length === 0) throw this.emptyFiveHundred();
      throw new WinrmHttpError(
        'auth',
        `NTLM negotiation failed: the host answered HTTP ${challengeAnswer.status} without an NTLM challenge (offered: ${challengeAnswer.wwwAuthenticate.join(', ') || 'nothing'}); check that Negotiate authentication is enabled on the WinRM service`,
      );
    }
    const { user, domain } = splitNtlmUser(this.settings.user);
    const authenticate = authenticateMessage({ user, domain, password: this.settings.password }, parseChallengeMessage(Buffer.from(offered, 'base64')));
    const answer = await this.send(lane, body, `Negotiate ${authenticate.toString('base64')}`, signal);
    if (answer.status === 401) throw this.authError(answer, 'NTLM');
    if (answer.status === 500 && answer.body.length === 0) throw this.emptyFiveHundred();
    this.authenticated[lane] = true;
    return answer;
  }

  private authError(answer: HttpAnswer & { wwwAuthenticate: string[] }, scheme: string): WinrmHttpError {
    const offered = answer.wwwAuthenticate.map((value) => value.split(/\s+/)[0]).join(', ') || 'nothing';
    const plainHttp = this.settings.url.protocol === 'http:' ? '; over plain HTTP Windows also refuses Basic unless AllowUnencrypted=true, so prefer HTTPS' : '';
    return new WinrmHttpError(
      'auth',
      `the host refused ${scheme} authentication for user ${this.settings.user} (HTTP 401; it offers ${offered}); check the user name, the password reference and the auth setting${plainHttp}`,
    );
  }

  private emptyFiveHundred(): WinrmHttpError {
    return new WinrmHttpError(
      'protocol',
      'the host answered HTTP 500 with an empty body, which Windows does for NTLM over plain HTTP without message encryption; use HTTPS (scheme: https) or set AllowUnencrypted=true on the host',
    );
  }

  private createAgent(): HttpAgent {
    const common = { keepAlive: true, maxSockets: 1, timeout: this.settings.requestTimeoutMs };
    if (this.settings.url.protocol !== 'https:') return new HttpAgent(common);
    const tls = { ...common, ca: this.settings.ca };
    if (this.settings.certificateFingerprint !== undefined) {
      return new PinnedHttpsAgent(tls, this.settings.certificateFingerprint, this.settings.ca !== undefined);
    }
    return new HttpsAgent({ ...tls, rejectUnauthorized: true });
  }

  private async send(
    lane: Lane,
    body: Buffer,
    authorization: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<HttpAnswer & { wwwAuthenticate: string[] }> {
    const url = this.settings.url;
    const requestFn = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/soap+xml;charset=UTF-8',
      'Content-Length': body.length,
      'User-Agent': 'redback-uptime WinRS client',
    };
    if (authorization !== undefined) headers.Authorization = authorization;
    return await new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: WinrmHttpError): void => {
        if (settled) return;
        settled = true;
        request.destroy();
        reject(error);
      };
      const request = requestFn(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers,
          agent: this.agents[lane],
          timeout: this.settings.requestTimeoutMs,
        },
        (response: IncomingMessage) => {
          const parts: Buffer[] = [];
          response.on('data', (part: Buffer) => parts.push(part));
          response.on('error', (error) => fail(this.classify(error)));
          response.on('aborted', () => fail(new WinrmHttpError('unreachable', 'the connection to the host broke while its answer was arriving')));
          response.on('end', () => {
            if (settled) return;
            settled = true;
            signal?.removeEventListener('abort', onAbort);
            const wwwAuthenticate = response.headers['www-authenticate'];
            resolve({
              status: response.statusCode ?? 0,
              body: Buffer.concat(parts),
              contentType: response.headers['content-type'] ?? '',
              wwwAuthenticate: wwwAuthenticate === undefined ? [] : Array.isArray(wwwAuthenticate) ? wwwAuthenticate : splitChallenges(wwwAuthenticate),
            });
          });
        },
      );
      const onAbort = (): void => fail(new WinrmHttpError('cancelled', 'the request was cancelled'));
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const connectTimer = setTimeout(
        () => fail(new WinrmHttpError('unreachable', `no connection to ${url.host} within ${this.settings.connectTimeoutMs} ms`)),
        this.settings.connectTimeoutMs,
      );
      request.on('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      });
      request.on('response', () => clearTimeout(connectTimer));
      request.on('timeout', () =>
        fail(new WinrmHttpError('timeout', `the host sent no answer within ${this.settings.requestTimeoutMs} ms (HTTP read timeout)`)),
      );
      request.on('error', (error) => {
        clearTimeout(connectTimer);
        signal?.removeEventListener('abort', onAbort);
        fail(this.classify(error));
      });
      request.on('close', () => clearTimeout(connectTimer));
      request.end(body);
    });
  }

  private classify(error: Error & { code?: string }): WinrmHttpError {
    const code = error.code ?? '';
    if (error instanceof CertificatePinError) return new WinrmHttpError('tls', error.message, { cause: error });
    if (TLS_ERRORS.test(code)) {
      return new WinrmHttpError(
        'tls',
        `the host's TLS certificate was not accepted (${code}: ${error.message}); give the CA that signed it (winrm.ca) or pin its fingerprint (winrm.certificate_fingerprint)`,
        { cause: error },
      );
    }
    if (CONNECTION_ERRORS.has(code) || /socket hang up/i.test(error.message)) {
      return new WinrmHttpError('unreachable', `cannot talk to ${this.settings.url.host}: ${code || error.message}`, { cause: error });
    }
    return new WinrmHttpError('unreachable', `HTTP request to ${this.settings.url.host} failed: ${code ? `${code} ` : ''}${error.message}`, { cause: error });
  }
}

/** Node joins repeated WWW-Authenticate headers with ", "; split them back at each scheme name. */
function splitChallenges(value: string): string[] {
  return value.split(/,\s*(?=(?:Negotiate|NTLM|Basic|Kerberos|CredSSP)\b)/i);
}
