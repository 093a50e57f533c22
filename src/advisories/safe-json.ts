/**
 * Reads untrusted advisory bytes into plain JSON values, refusing before any use: too large, not UTF-8, nested too
 * deep, arrays too long, or carrying `__proto__` keys (harmless in JSON.parse output, dangerous once merged).
 */
import { type DocumentLimits, resolveLimits } from './limits.js';
import { AdvisoryRefusedError, jsonPath } from './problems.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8Offset(bytes);
    throw new AdvisoryRefusedError(source, [{ path: '$', message: `the input is not valid UTF-8 (first bad byte at offset ${offset}); CSAF and OSV documents must be UTF-8 encoded` }]);
  }
}

function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let low = 0;
  let high = bytes.length;
  // The valid prefix can be found by bisection because decoding a prefix fails only at or after the bad byte
  // (a prefix cut inside a multi-byte character also fails, which only moves the answer a few bytes earlier).
  while (high - low > 4) {
    const middle = Math.floor((low + high) / 2);
    try {
      UTF8.decode(bytes.subarray(0, middle));
      low = middle;
    } catch {
      high = middle;
    }
  }
  return low;
}

/** Scans the text for nesting depth without building anything, so a 10,000-deep input never reaches JSON.parse. */
function checkDepth(text: string, maxDepth: number, source: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > maxDepth) {
        throw new AdvisoryRefusedError(source, [{ path: '$', message: `the document nests deeper than ${maxDepth} levels (at character ${i}); raise limits.maxDepth only for a trusted source` }]);
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

interface Visit {
  value: unknown;
  parent: Visit | undefined;
  key: PropertyKey;
  depth: number;
}

/** The JSONPath of a visited node, built only when a problem is reported. */
function pathOf(visit: Visit): string {
  const segments: PropertyKey[] = [];
  for (let at: Visit | undefined = visit; at?.parent !== undefined; at = at.parent) segments.unshift(at.key);
  return jsonPath(segments);
}

/**
 * Walks a JSON value without recursion, checking depth, array lengths and forbidden keys. Exported for values parsed
 * elsewhere (an HTTP body): they must pass the same checks as bytes read here.
 */
export function checkJsonValue(root: unknown, source: string, overrides?: Partial<DocumentLimits>): void {
  const limits = resolveLimits(overrides);
  const stack: Visit[] = [{ value: root, parent: undefined, key: '', depth: 1 }];
  while (stack.length > 0) {
    const visit = stack.pop() as Visit;
    const { value, depth } = visit;
    if (depth > limits.maxDepth) {
      throw new AdvisoryRefusedError(source, [{ path: pathOf(visit), message: `the document nests deeper than ${limits.maxDepth} levels` }]);
    }
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayLength) {
        throw new AdvisoryRefusedError(source, [{ path: pathOf(visit), message: `the array has ${value.length} entries, more than the limit of ${limits.maxArrayLength}` }]);
      }
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'object' && item !== null) stack.push({ value: item, parent: visit, key: i, depth: depth + 1 });
      }
    } else if (typeof value === 'object' && value !== null) {
      if (Object.hasOwn(value, '__proto__')) {
        throw new AdvisoryRefusedError(source, [{ path: `${pathOf(visit)}.__proto__`, message: 'the key "__proto__" is not allowed in an advisory' }]);
      }
      for (const key in value) {
        const item: unknown = (value as Record<string, unknown>)[key];
        if (typeof item === 'object' && item !== null) stack.push({ value: item, parent: visit, key, depth: depth + 1 });
      }
    }
  }
}

/** Bytes (or already-decoded text) to a JSON value within the limits; throws `AdvisoryRefusedError` otherwise. */
export function parseJsonWithinLimits(input: Uint8Array | string, source: string, overrides?: Partial<DocumentLimits>): unknown {
  const limits = resolveLimits(overrides);
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > limits.maxBytes) {
    throw new AdvisoryRefusedError(source, [{ path: '$', message: `the document is ${size} bytes, more than the limit of ${limits.maxBytes} bytes; raise limits.maxBytes if this source is trusted` }]);
  }
  const text = typeof input === 'string' ? input : decodeUtf8(input, source);
  checkDepth(text, limits.maxDepth, source);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AdvisoryRefusedError(source, [{ path: '$', message: `the input is not JSON: ${(error as Error).message}` }]);
  }
  checkJsonValue(value, source, limits);
  return value;
}

/** An already parsed value, checked like parsed bytes, and returned for chaining. */
export function checkedValue(value: object, source: string, overrides?: Partial<DocumentLimits>): object {
  checkJsonValue(value, source, overrides);
  return value;
}
