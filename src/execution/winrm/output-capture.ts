import { StringDecoder } from 'node:string_decoder';

/**
 * One output stream of a remote command: keeps the first `maxBytes` bytes, counts the rest, and hands each
 * complete line to `onLine`. Decoding is incremental so a UTF-8 character split across two WinRS chunks (they
 * are cut at any byte) comes out whole.
 */
export class OutputCapture {
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private dropped = 0;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly maxBytes: number,
    private readonly onLine?: (line: string) => void,
  ) {}

  push(chunk: Buffer): void {
    const room = Math.max(this.maxBytes - this.keptBytes, 0);
    if (chunk.length <= room) {
      this.kept.push(chunk);
      this.keptBytes += chunk.length;
    } else {
      if (room > 0) this.kept.push(chunk.subarray(0, room));
      this.keptBytes += room;
      this.dropped += chunk.length - room;
    }
    if (this.onLine !== undefined) this.emitLines(this.decoder.write(chunk));
  }

  end(): void {
    if (this.onLine === undefined) return;
    this.emitLines(this.decoder.end());
    if (this.pending !== '') this.onLine(this.pending);
    this.pending = '';
  }

  get text(): string {
    const bytes = Buffer.concat(this.kept, this.keptBytes);
    // The cap may cut a multi-byte character: drop its leading bytes rather than show U+FFFD.
    const cut = this.dropped > 0 ? incompleteTail(bytes) : 0;
    return bytes.subarray(0, bytes.length - cut).toString('utf8');
  }

  get truncatedBytes(): number {
    const bytes = Buffer.concat(this.kept, this.keptBytes);
    return this.dropped + (this.dropped > 0 ? incompleteTail(bytes) : 0);
  }

  private emitLines(text: string): void {
    const onLine = this.onLine as (line: string) => void;
    const data = this.pending + text;
    let start = 0;
    for (let newline = data.indexOf('\n'); newline >= 0; newline = data.indexOf('\n', start)) {
      onLine(data.slice(start, data[newline - 1] === '\r' ? newline - 1 : newline));
      start = newline + 1;
    }
    this.pending = data.slice(start);
  }
}

/** Bytes at the end of `bytes` that start a UTF-8 character without finishing it. */
function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}
