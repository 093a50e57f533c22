/**
 * A SOAP fault from the WinRM service, with the WSManFault code that says what happened (WINRM.md §1.5).
 * The transport turns it into a `TransportError`; the receive loop recognises the routine OperationTimeout.
 */
export class WsmanFaultError extends Error {
  constructor(
    /** `s:Code/s:Subcode/s:Value`, e.g. `w:TimedOut`. */
    readonly subcode: string,
    /** `WSManFault/@Code` (or `MSFT_WmiError/error_Code`), e.g. 2150858793; undefined when the host sent none. */
    readonly wsmanCode: number | undefined,
    readonly reason: string,
    readonly machine: string | undefined,
  ) {
    super(`WinRM fault ${subcode}${wsmanCode === undefined ? '' : ` (code ${wsmanCode})`}: ${reason.trim()}`);
    this.name = 'WsmanFaultError';
  }
}

/** A problem on the HTTP layer, already classified. Messages never contain credentials or tokens. */
export class WinrmHttpError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'auth' | 'timeout' | 'tls' | 'protocol' | 'cancelled',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WinrmHttpError';
  }
}
