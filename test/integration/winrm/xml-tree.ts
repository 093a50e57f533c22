import { DOMParser, type Element } from '@xmldom/xmldom';

/**
 * A comparable form of an XML document: namespace URI + local name, attributes (namespace declarations
 * dropped), children and text. Ids, timestamps and addresses are replaced by placeholders so a live answer
 * can be compared with a recording.
 */
export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlNode[];
}

const GUID = /[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/gi;
const ENDPOINT = /^https?:\/\/[^/]+\/wsman$/;
/** Elements and attributes whose value depends on the machine or the connection, not on the protocol. */
const VARIABLE_TEXT = new Set(['{http://schemas.microsoft.com/wbem/wsman/1/windows/shell}ClientIP']);
const VARIABLE_ATTRIBUTES = new Set(['Machine']);

export function canonicalXml(xml: string): XmlNode {
  const document = new DOMParser().parseFromString(xml, 'text/xml');
  if (document.documentElement === null) throw new Error('no document element');
  return canonical(document.documentElement);
}

function normalise(value: string): string {
  const replaced = value.replace(GUID, '<guid>');
  return ENDPOINT.test(replaced.trim()) ? '<endpoint>' : replaced;
}

function canonical(element: Element): XmlNode {
  const name = `{${element.namespaceURI ?? ''}}${element.localName}`;
  const attributes: Record<string, string> = {};
  for (const attribute of Array.from(element.attributes)) {
    if (attribute.name === 'xmlns' || attribute.prefix === 'xmlns') continue;
    const key = attribute.namespaceURI === null ? attribute.localName : `{${attribute.namespaceURI}}${attribute.localName}`;
    attributes[key ?? attribute.name] = VARIABLE_ATTRIBUTES.has(attribute.name) ? '<machine>' : normalise(attribute.value);
  }
  const children: XmlNode[] = [];
  let text = '';
  for (let node = element.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === 1) children.push(canonical(node as Element));
    else if (node.nodeType === 3 || node.nodeType === 4) text += node.nodeValue ?? '';
  }
  if (text.trim() === '') text = '';
  return { name, attributes: sortKeys(attributes), text: VARIABLE_TEXT.has(name) ? '<variable>' : normalise(text), children };
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

export function findText(xml: string, localName: string): string | undefined {
  return new RegExp(`<(?:\\w+:)?${localName}[^>]*>([^<]*)</(?:\\w+:)?${localName}>`).exec(xml)?.[1];
}
