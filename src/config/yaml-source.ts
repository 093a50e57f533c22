import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { ConfigIssue } from '../errors.js';

/** A YAML file parsed with enough position information to put a line number on every error. */
export interface YamlSource {
  file: string;
  data: unknown;
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export function parseYamlSource(file: string, text: string): { source?: YamlSource; issues: ConfigIssue[] } {
  const lineCounter = new LineCounter();
  // `uniqueKeys` turns a duplicated mapping key into an error instead of letting the last one win silently.
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, merge: false });
  const issues: ConfigIssue[] = document.errors.map((error) => ({
    file,
    line: error.linePos?.[0]?.line,
    path: '',
    message: `malformed YAML: ${firstLine(error.message)}`,
    severity: 'error' as const,
  }));
  if (issues.length > 0) return { issues };
  const data: unknown = document.toJS({ maxAliasCount: 100 });
  return { source: { file, data, lineOf: (path) => lineOf(document, lineCounter, path) }, issues };
}

function lineOf(document: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  // Walk down as far as the path exists, so an error about a missing key points at its parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node !== undefined && node !== null && typeof node === 'object' && node.range !== undefined) {
      return lineCounter.linePos(node.range[0]).line;
    }
    if (depth === 0 && (isMap(document.contents) || isSeq(document.contents))) {
      return lineCounter.linePos(document.contents.range?.[0] ?? 0).line;
    }
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
