import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { posixCommandLine, powerShellCommandLine, quotePosix, quotePowerShell } from '../../../src/execution/shell-quote.js';

/** A reference reader of one POSIX word: enough of sh's grammar to undo quotePosix and to refuse anything it left active. */
function readPosixWord(word: string): string {
  let out = '';
  let i = 0;
  while (i < word.length) {
    const c = word[i] as string;
    if (c === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in ${word}`);
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (c === '\\') {
      out += word[i + 1] ?? '';
      i += 2;
    } else if (/[A-Za-z0-9_@%+:,./-]/.test(c)) {
      out += c;
      i += 1;
    } else {
      throw new Error(`unquoted shell character ${JSON.stringify(c)} in ${word}`);
    }
  }
  return out;
}

/** The same for a PowerShell verbatim string. */
function readPowerShellWord(word: string): string {
  const quotes = /['\u2018\u2019\u201A\u201B]/;
  if (!quotes.test(word[0] ?? '') || !quotes.test(word.at(-1) ?? '')) throw new Error(`not a verbatim string: ${word}`);
  let out = '';
  for (let i = 1; i < word.length - 1; i++) {
    const c = word[i] as string;
    if (quotes.test(c)) {
      if (!quotes.test(word[i + 1] ?? '') || i + 1 === word.length - 1) throw new Error(`lone quote closes the string early in ${word}`);
      out += c;
      i += 1;
    } else {
      out += c;
    }
  }
  return out;
}

const HOSTILE = [
  '; touch /tmp/pwned',
  '$(touch /tmp/pwned)',
  '`touch /tmp/pwned`',
  "it's",
  "'; rm -rf / #",
  'a\nb',
  'line1\r\nline2',
  '&& echo hi | cat > x < y',
  '* ? [a-z] ~ {a,b}',
  '"double" \\backslash\\',
  'café ü 日本語 🚀',
  '',
  ' leading and trailing ',
  '--option=value',
  'A=b',
];

describe('quotePosix', () => {
  it('leaves a plain package name as it is and quotes everything else', () => {
    expect(quotePosix('openssl')).toBe('openssl');
    expect(quotePosix('libssl3:amd64=3.0.11-1~deb12u2')).toBe("'libssl3:amd64=3.0.11-1~deb12u2'");
    expect(quotePosix('; touch /tmp/pwned')).toBe("'; touch /tmp/pwned'");
    expect(quotePosix('')).toBe("''");
  });

  it("closes, escapes and reopens an embedded single quote", () => {
    expect(quotePosix("it's")).toBe(`'it'\\''s'`);
  });

  it('keeps newlines and non-ASCII text literally inside the quotes', () => {
    expect(quotePosix('a\nb')).toBe("'a\nb'");
    expect(quotePosix('café 日本')).toBe("'café 日本'");
  });

  it.each(HOSTILE)('turns %j into one word that reads back unchanged', (value) => {
    expect(readPosixWord(quotePosix(value))).toBe(value);
  });

  it('turns any string into one word that reads back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), (value) => {
        expect(readPosixWord(quotePosix(value))).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a NUL byte, naming where it is', () => {
    expect(() => quotePosix('a\0b')).toThrow(/NUL byte \(at index 1\)/);
  });

  it('never leaves an assignment word at the start of a command line', () => {
    expect(posixCommandLine(['A=b', 'echo'])).toBe("'A=b' echo");
  });

  it('quotes every element of a command line', () => {
    expect(posixCommandLine(['apt-get', 'install', '-y', 'pkg; touch /tmp/pwned'])).toBe("apt-get install -y 'pkg; touch /tmp/pwned'");
  });
});

describe('quotePowerShell', () => {
  it('wraps in single quotes and doubles an embedded quote', () => {
    expect(quotePowerShell("it's")).toBe("'it''s'");
    expect(quotePowerShell('$env:PATH; Remove-Item C:\\')).toBe("'$env:PATH; Remove-Item C:\\'");
  });

  it('doubles the typographic single quotes PowerShell also accepts as delimiters', () => {
    expect(quotePowerShell('a\u2019; calc; \u2018b')).toBe("'a\u2019\u2019; calc; \u2018\u2018b'");
  });

  it.each(HOSTILE)('turns %j into one verbatim string that reads back unchanged', (value) => {
    expect(readPowerShellWord(quotePowerShell(value))).toBe(value);
  });

  it('turns any string into one verbatim string that reads back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), (value) => {
        expect(readPowerShellWord(quotePowerShell(value))).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a NUL byte', () => {
    expect(() => quotePowerShell('\0')).toThrow(/NUL byte/);
  });

  it('builds a call-operator command line with every element verbatim', () => {
    expect(powerShellCommandLine(['Install-Module', "x'; calc"])).toBe("& 'Install-Module' 'x''; calc'");
  });
});
