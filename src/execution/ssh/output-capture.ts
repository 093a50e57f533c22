import { StringDecoder } from 'node:string_decoder';

/** Longest partial line (in characters) held while waiting for its newline; a longer one is passed on in pieces. */
const MAX_PENDING_LINE_CHARS = 64 * 1024;

/**
 * Collects one output stream: keeps the first `maxBytes` bytes, counts the rest without keeping it, and hands
 * every complete line to `onLine` as it arrives (UTF-8 decoded across chunk boundaries). Memory stays bounded by
 * `maxBytes` plus one pending line, whatever the command prints.
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
    const room = this.maxBytes - this.keptBytes;
    if (room >= chunk.length) {
      this.kept.push(chunk);
      this.keptBytes += chunk.length;
    } else {
      if (room > 0) {
        this.kept.push(chunk.subarray(0, room));
        this.keptBytes += room;
      }
      this.droppedBytes += chunk.length - Math.max(room, 0);
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
    // A multi-byte character cut by the cap decodes to U+FFFD; the byte counts stay exact.
    return Buffer.concat(this.kept, this.keptBytes).toString('utf8');
  }

  get truncatedBytes(): number {
    return this.droppedBytes;
  }

  private splitLines(text: string): void {
    const onLine = this.onLine as (line: string) => void;
    const data = this.pending + text;
    let start = 0;
    let newline = data.indexOf('\n', start);
    while (newline >= 0) {
      onLine(data.slice(start, data[newline - 1] === '\r' ? newline - 1 : newline));
      start = newline + 1;
      newline = data.indexOf('\n', start);
    }
    while (data.length - start > MAX_PENDING_LINE_CHARS) {
      onLine(data.slice(start, start + MAX_PENDING_LINE_CHARS));
      start += MAX_PENDING_LINE_CHARS;
    }
    this.pending = data.slice(start);
  }
}
