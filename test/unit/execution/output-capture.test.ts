import { describe, expect, it } from 'vitest';
import { OutputCapture } from '../../../src/execution/output-capture.js';

function capture(max: number) {
  const lines: string[] = [];
  const c = new OutputCapture(max, (l) => lines.push(l));
  return { c, lines };
}

describe('OutputCapture', () => {
  it('keeps up to the cap and counts the rest exactly', () => {
    const { c } = capture(10);
    c.push(Buffer.from('123456'));
    c.push(Buffer.from('789012345'));
    c.push(Buffer.from('xyz'));
    c.end();
    expect(c.text).toBe('1234567890');
    expect(c.truncatedBytes).toBe(8);
  });

  it('hands every line to onLine even past the cap, without the newline or a CR', () => {
    const { c, lines } = capture(4);
    c.push(Buffer.from('one\r\ntwo\nthr'));
    c.push(Buffer.from('ee\nlast'));
    c.end();
    expect(lines).toEqual(['one', 'two', 'three', 'last']);
  });

  it('decodes a UTF-8 character split across chunks', () => {
    const { c, lines } = capture(100);
    const bytes = Buffer.from('é日本\n');
    for (const byte of bytes) c.push(Buffer.from([byte]));
    c.end();
    expect(lines).toEqual(['é日本']);
    expect(c.text).toBe('é日本\n');
  });

  it('passes an endless line on in 64 KiB pieces instead of holding it', () => {
    const { c, lines } = capture(0);
    for (let i = 0; i < 10; i++) c.push(Buffer.alloc(32 * 1024, 'a'));
    // 320 KiB without a newline: four full pieces are out, the fifth is still held (not more than 64 KiB).
    expect(lines.map((l) => l.length)).toEqual([65536, 65536, 65536, 65536]);
    c.end();
    expect(lines).toHaveLength(5);
    expect(lines.reduce((n, l) => n + l.length, 0)).toBe(320 * 1024);
    expect(c.truncatedBytes).toBe(320 * 1024);
  });

  it('does not call onLine for an empty stream', () => {
    const { c, lines } = capture(10);
    c.end();
    expect(lines).toEqual([]);
    expect(c.text).toBe('');
  });
});
