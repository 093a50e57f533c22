import { DOMParser, type Element } from '@xmldom/xmldom';
import { WinrmHttpError, WsmanFaultError } from './errors.js';
import { COMMAND_STATE_DONE, NS } from './namespaces.js';

/** A parsed response envelope; lookups are by namespace URI, never by prefix. */
export interface SoapResponse {
  relatesTo: string | undefined;
  body: Element;
}

export function parseSoapResponse(xml: string): SoapResponse {
  let document;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (error) {
    throw new WinrmHttpError('protocol', `the host answered with XML that does not parse (${(error as Error).message.split('\n')[0]})`);
  }
  const envelope = document.documentElement;
  if (envelope === null || envelope.namespaceURI !== NS.s || envelope.localName !== 'Envelope') {
    throw new WinrmHttpError('protocol', 'the host answered with something other than a SOAP 1.2 envelope');
  }
  const header = first(envelope, NS.s, 'Header');
  const body = first(envelope, NS.s, 'Body');
  if (body === undefined) throw new WinrmHttpError('protocol', 'the host answered with a SOAP envelope without a Body');
  return { relatesTo: textOf(header && first(header, NS.a, 'RelatesTo'))?.trim(), body };
}

export function elements(parent: Element, ns: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === 1) {
      const element = node as Element;
      if (element.namespaceURI === ns && element.localName === localName) found.push(element);
    }
  }
  return found;
}

export function first(parent: Element, ns: string, localName: string): Element | undefined {
  return elements(parent, ns, localName)[0];
}

/** First descendant with this name, at any depth. */
export function descendant(parent: Element, ns: string, localName: string): Element | undefined {
  const list = parent.getElementsByTagNameNS(ns, localName);
  return list.length > 0 ? (list.item(0) ?? undefined) : undefined;
}

export function textOf(element: Element | undefined): string | undefined {
  return element === undefined ? undefined : (element.textContent ?? '');
}

/** The fault in a response body, if it is one. Reads WSManFault/@Code and, failing that, MSFT_WmiError/error_Code. */
export function readFault(body: Element): WsmanFaultError | undefined {
  const fault = first(body, NS.s, 'Fault');
  if (fault === undefined) return undefined;
  const code = first(fault, NS.s, 'Code');
  const subcode = code && first(code, NS.s, 'Subcode');
  const subcodeValue = textOf(subcode && first(subcode, NS.s, 'Value')) ?? textOf(code && first(code, NS.s, 'Value')) ?? 'unknown';
  const reason = textOf(descendant(fault, NS.s, 'Text')) ?? '';
  const wsmanFault = descendant(fault, NS.f, 'WSManFault');
  let wsmanCode: number | undefined;
  const codeAttribute = wsmanFault?.getAttribute('Code');
  if (codeAttribute !== null && codeAttribute !== undefined && /^\d+$/.test(codeAttribute)) wsmanCode = Number(codeAttribute);
  if (wsmanCode === undefined) {
    const wmiCode = [...Array.from(fault.getElementsByTagName('*'))].find((element) => element.localName === 'error_Code');
    const value = textOf(wmiCode)?.trim();
    if (value !== undefined && /^\d+$/.test(value)) wsmanCode = Number(value);
  }
  const message = textOf(wsmanFault && descendant(wsmanFault, NS.f, 'Message'))?.trim();
  return new WsmanFaultError(subcodeValue.trim(), wsmanCode, message !== undefined && message !== '' ? message : reason, wsmanFault?.getAttribute('Machine') ?? undefined);
}

export interface ReceivedOutput {
  chunks: { stream: 'stdout' | 'stderr'; bytes: Buffer }[];
  /** Set when the command is Done: its exit code. */
  exitCode: number | undefined;
  done: boolean;
}

export function readReceive(body: Element, commandId: string): ReceivedOutput {
  const response = first(body, NS.rsp, 'ReceiveResponse');
  if (response === undefined) throw new WinrmHttpError('protocol', 'the host answered a Receive without a ReceiveResponse');
  const chunks: ReceivedOutput['chunks'] = [];
  for (const stream of elements(response, NS.rsp, 'Stream')) {
    const name = stream.getAttribute('Name');
    const id = stream.getAttribute('CommandId');
    if (id !== null && id.toUpperCase() !== commandId.toUpperCase()) continue;
    const content = (stream.textContent ?? '').trim();
    if ((name === 'stdout' || name === 'stderr') && content !== '') chunks.push({ stream: name, bytes: Buffer.from(content, 'base64') });
  }
  const state = first(response, NS.rsp, 'CommandState');
  const done = state?.getAttribute('State') === COMMAND_STATE_DONE;
  const exitText = textOf(state && first(state, NS.rsp, 'ExitCode'))?.trim();
  const exitCode = exitText !== undefined && /^-?\d+$/.test(exitText) ? toSigned32(Number(exitText)) : undefined;
  return { chunks, exitCode, done };
}

/** Windows reports exit codes as unsigned DWORDs; a process that ended with -1 shows as 4294967295. */
function toSigned32(value: number): number {
  return value > 0x7fffffff && value <= 0xffffffff ? value - 0x100000000 : value;
}
