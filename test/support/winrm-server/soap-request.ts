import { DOMParser, type Element } from '@xmldom/xmldom';
import { ACTIONS, NS, type OperationName } from './namespaces.js';

/** A parsed WS-Management request: only what the server dispatches and answers on. */
export interface SoapRequest {
  action: string;
  operation: OperationName | undefined;
  messageId: string | undefined;
  resourceUri: string | undefined;
  maxEnvelopeSize: string | undefined;
  operationTimeout: string | undefined;
  selectors: Record<string, string>;
  options: Record<string, string>;
  body: Element | undefined;
}

export class MalformedRequest extends Error {}

export function parseSoapRequest(xml: string): SoapRequest {
  let document;
  try {
    document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new MalformedRequest(message);
      },
    }).parseFromString(xml, 'text/xml');
  } catch (error) {
    throw new MalformedRequest(`request body is not well-formed XML: ${(error as Error).message}`);
  }
  const envelope = document.documentElement;
  if (envelope === null || envelope.namespaceURI !== NS.s || envelope.localName !== 'Envelope') {
    throw new MalformedRequest('request body is not a SOAP 1.2 Envelope');
  }
  const header = child(envelope, NS.s, 'Header');
  const body = child(envelope, NS.s, 'Body');
  const action = text(header && child(header, NS.a, 'Action')) ?? '';
  const operation = (Object.keys(ACTIONS) as OperationName[]).find((name) => ACTIONS[name] === action);
  return {
    action,
    operation,
    messageId: text(header && child(header, NS.a, 'MessageID')),
    resourceUri: text(header && child(header, NS.w, 'ResourceURI')),
    maxEnvelopeSize: text(header && child(header, NS.w, 'MaxEnvelopeSize')),
    operationTimeout: text(header && child(header, NS.w, 'OperationTimeout')),
    selectors: namedValues(header && child(header, NS.w, 'SelectorSet'), 'Selector'),
    options: namedValues(header && child(header, NS.w, 'OptionSet'), 'Option'),
    body,
  };
}

export function children(parent: Element, ns: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === 1) {
      const element = node as Element;
      if (element.namespaceURI === ns && element.localName === localName) found.push(element);
    }
  }
  return found;
}

export function child(parent: Element, ns: string, localName: string): Element | undefined {
  return children(parent, ns, localName)[0];
}

export function text(element: Element | undefined): string | undefined {
  return element === undefined ? undefined : (element.textContent ?? '');
}

function namedValues(set: Element | undefined, localName: string): Record<string, string> {
  const values: Record<string, string> = {};
  if (set === undefined) return values;
  for (const element of children(set, NS.w, localName)) {
    const name = element.getAttribute('Name');
    if (name !== null) values[name] = element.textContent ?? '';
  }
  return values;
}

/** `PT20S`, `PT1.5S`, `PT2M` → milliseconds; undefined when absent or not an ISO 8601 time duration. */
export function parseIsoDuration(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(value.trim());
  if (match === null || value.trim() === 'PT') return undefined;
  const [, h, m, s] = match;
  return Math.round((Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0)) * 1000);
}
