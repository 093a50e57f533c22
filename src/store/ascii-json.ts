/**
 * JSON text with every character beyond ASCII written as a `\uXXXX` escape: the same value to any JSON reader
 * (JSON.parse, Redis's cjson), but a text V8 keeps one byte per character. Why it matters: the texts of many host
 * runs are sent to Redis together in one command string (store/script-batcher.ts), and a single `…` or `é` among
 * them makes V8 hold and encode the whole string as two-byte text; on the no-op benchmark that cost about 15 % of a
 * host run's CPU.
 */
export function asciiJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (!NON_ASCII.test(text)) return text;
  // The escaped text is ASCII, but V8 builds it from slices of the two-byte original and keeps it two-byte; read
  // back from bytes, it is one-byte.
  return Buffer.from(text.replace(NON_ASCII_ALL, escapeCharacter), 'latin1').toString('latin1');
}

const NON_ASCII = /[\u0080-\uffff]/;
const NON_ASCII_ALL = /[\u0080-\uffff]/g;

function escapeCharacter(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** True when the text has a character beyond ASCII. */
export function hasNonAscii(text: string): boolean {
  return NON_ASCII.test(text);
}
