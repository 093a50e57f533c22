import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';

/** Normalises `AB:CD:…`, `abcd…` or `SHA256:AB:CD…` to uppercase hex without separators. */
export function normaliseFingerprint(value: string): string {
  return value.replace(/^sha-?256:/i, '').replace(/[:\s]/g, '').toUpperCase();
}

export class CertificatePinError extends Error {
  readonly code = 'CERT_PIN_MISMATCH';
}

/**
 * An HTTPS agent that checks the server certificate's SHA-256 fingerprint after the TLS handshake and before
 * the socket is handed to HTTP, so not a byte of the request (with its credentials) reaches an impostor.
 * With a CA the chain and host name are checked as well; without one the pin alone decides, which is how
 * self-signed WinRM listener certificates are trusted.
 */
export class PinnedHttpsAgent extends HttpsAgent {
  constructor(
    options: AgentOptions,
    private readonly fingerprint: string,
    private readonly verifyChain: boolean,
  ) {
    super(options);
  }

  override createConnection(options: ConnectionOptions, callback?: (error: Error | null, socket: Duplex) => void): Duplex {
    const socket: TLSSocket = connect({ ...options, rejectUnauthorized: this.verifyChain });
    const done = callback ?? (() => undefined);
    const onError = (error: Error): void => done(error, socket);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.off('error', onError);
      const presented = normaliseFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
      if (presented !== normaliseFingerprint(this.fingerprint)) {
        const error = new CertificatePinError(
          `the host's TLS certificate has SHA-256 fingerprint ${presented}, not the pinned ${normaliseFingerprint(this.fingerprint)}; if the certificate was replaced on purpose, update winrm.certificate_fingerprint in the inventory`,
        );
        socket.destroy();
        done(error, socket);
        return;
      }
      done(null, socket);
    });
    // Returning nothing tells the HTTP agent to wait for the callback.
    return undefined as unknown as Duplex;
  }
}
