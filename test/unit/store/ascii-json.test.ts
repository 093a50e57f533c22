import { describe, expect, it } from 'vitest';
import { asciiJson, hasNonAscii } from '../../../src/store/ascii-json.js';

describe('asciiJson', () => {
  it('writes text beyond ASCII as \\u escapes that read back as the same value', () => {
    const value = { line: 'step noop …', reason: 'café ☕ 🚀', quote: '"\\/', nested: [{ name: 'Größe' }], lone: '\uD83D' };
    const text = asciiJson(value);
    expect(hasNonAscii(text)).toBe(false);
    expect(text).toContain('step noop \\u2026');
    expect(text).toContain('\\ud83d\\ude80');
    expect(JSON.parse(text)).toEqual(value);
  });

  it('leaves ASCII-only JSON as JSON.stringify writes it', () => {
    const value = { id: 'w@20300101T030000Z/h1', n: 3, ok: true, none: null };
    expect(asciiJson(value)).toBe(JSON.stringify(value));
  });
});
