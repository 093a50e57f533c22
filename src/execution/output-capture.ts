import { StringDecoder } from 'node:string_decoder';

/** Longest partial line (in characters) held while waiting for its newline; a longer one is passed on in pieces. */
const MAX_PENDING_LINE_CHARS = 64 * 1024;

/**
 * Collects one output stream of a command, for every transport: keeps the first `maxBytes` bytes, counts the rest
 * without keeping it, and hands every complete line to `onLine` as it arrives. Decoding is incremental, so a UTF-8
 * character split across chunks (SSH packets, WinRS chunks are cut at any byte) comes out whole. Memory stays
 * bounded by `maxBytes` plus one pending line, whatever the command prints.
 */
export class OutputCapture {
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private droppedBytes = 0;
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
      this.droppedBytes += chunk.length - room;
    }
    if (this.onLine !== undefined) this.splitLines(this.decoder.write(chunk));
  }

  /** Flushes a last line that had no newline. */
  end(): void {
    if (this.onLine === undefined) return;
    this.splitLines(this.decoder.end());
    if (this.pending !== '') this.onLine(this.pending);
    this.pending = '';
  }

  get text(): string {
    const bytes = Buffer.concat(this.kept, this.keptBytes);
    // The cap may cut a multi-byte character: leave its leading bytes out rather than show U+FFFD.
    return bytes.subarray(0, bytes.length - this.cutTail(bytes)).toString('utf8');
  }

  /** Bytes produced but not in `text`: those past the cap, and the start of a character the cap cut. */
  get truncatedBytes(): number {
    return this.droppedBytes + this.cutTail(Buffer.concat(this.kept, this.keptBytes));
  }

  private cutTail(bytes: Buffer): number {
    return this.droppedBytes > 0 ? incompleteTail(bytes) : 0;
  }

  private splitLines(text: string): void {
    const onLine = this.onLine as (line: string) => void;
    const data = this.pending + text;
    let start = 0;
    for (let newline = data.indexOf('\n'); newline >= 0; newline = data.indexOf('\n', start)) {
      onLine(data.slice(start, data[newline - 1] === '\r' ? newline - 1 : newline));
      start = newline + 1;
    }
    while (data.length - start > MAX_PENDING_LINE_CHARS) {
      onLine(data.slice(start, start + MAX_PENDING_LINE_CHARS));
      start += MAX_PENDING_LINE_CHARS;
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
