import { formatDuration } from '../../../domain/index.js';
import type { HostRunResult } from '../../../execution/index.js';

/** The output of `redback run`: one live line per host on stderr, the summary table on stdout. */

export function skippedResult(hostId: string, playbookId: string, checkMode: boolean, message: string): HostRunResult {
  const now = new Date().toISOString();
  return {
    hostId, playbookId, checkMode, status: 'skipped', failureClass: null, failedAt: null, message,
    startedAt: now, finishedAt: now, durationMs: 0, commands: [], packagesChanged: [], plannedChanges: [],
    reboot: { policy: 'never', required: null, performed: false },
  };
}

/** One line per host on stderr: rewritten in place on a terminal, appended otherwise (logs, CI). */
export class ProgressLines {
  private readonly lines = new Map<string, string>();
  private readonly tty = process.stderr.isTTY === true;
  private drawn = 0;
  private readonly width: number;

  constructor(private readonly hostIds: readonly string[]) {
    this.width = Math.max(...hostIds.map((id) => id.length), 4);
    for (const id of hostIds) this.lines.set(id, 'waiting');
    this.draw();
  }

  update(hostId: string, text: string | undefined): void {
    if (text === undefined || this.lines.get(hostId) === text) return;
    this.lines.set(hostId, text);
    if (this.tty) this.draw();
    else process.stderr.write(`${hostId.padEnd(this.width)}  ${text}\n`);
  }

  finish(): void {
    if (this.tty) this.draw();
  }

  private draw(): void {
    if (!this.tty) return;
    const columns = process.stderr.columns ?? 100;
    if (this.drawn > 0) process.stderr.write(`\x1b[${this.drawn}A`);
    for (const id of this.hostIds) process.stderr.write(`\x1b[2K${`${id.padEnd(this.width)}  ${this.lines.get(id) ?? ''}`.slice(0, columns - 1)}\n`);
    this.drawn = this.hostIds.length;
  }
}

export function renderSummary(results: readonly HostRunResult[]): string {
  const rows = results.map((r) => [
    r.hostId,
    r.status,
    r.failureClass ?? '',
    summarizeChanges(r),
    r.reboot.performed ? 'rebooted' : r.reboot.required === true ? 'needed' : '',
    formatDuration(r.durationMs),
    r.message ?? '',
  ]);
  const header = ['HOST', 'STATUS', 'CLASS', 'PACKAGES', 'REBOOT', 'TIME', 'MESSAGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [line(header), ...rows.map(line), '', [...counts].map(([status, n]) => `${n} ${status}`).join(', '), ''].join('\n');
}

function summarizeChanges(result: HostRunResult): string {
  const changes = result.checkMode ? result.plannedChanges : result.packagesChanged;
  if (changes.length === 0) return '';
  const first = changes.slice(0, 2).map((c) => `${c.name} ${c.before ?? '-'}→${c.after ?? '-'}`).join(', ');
  return `${result.checkMode ? 'would: ' : ''}${first}${changes.length > 2 ? ` +${changes.length - 2}` : ''}`;
}

export async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
