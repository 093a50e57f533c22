import type { Redis } from 'ioredis';
import { z } from 'zod';
import { batchHosts, readEvents, readRunLog, requireBatch, RUN_LOG_MAX_LINES, storeKeys, type StoredEvent } from '../../../store/index.js';
import { HttpError } from '../http-errors.js';
import { canSeeCustomer } from '../principal.js';
import type { RouteTable } from '../route.js';

export interface LiveDeps {
  redis: Redis;
  prefix: string;
  /** How often run output is polled for new lines. */
  logPollMs?: number;
}

/**
 * Server-sent events for the console's live view: orchestration events from the Redis events stream (`event:
 * orchestration`), and new output lines of the batch's running hosts (`event: log`). One blocking Redis connection
 * per client, closed when the client goes away.
 */
export function addLiveRoutes(table: RouteTable, deps: LiveDeps): void {
  table.add({
    method: 'GET',
    url: '/events/stream',
    summary: 'Server-sent events: orchestration events (optionally of one batch) and the output lines of its running hosts',
    tag: 'live',
    role: 'viewer',
    query: z.object({ batch: z.string().optional(), after: z.string().regex(/^(\$|0|\d+-\d+)$/, 'expected a stream id like 1700000000000-0').default('$') }),
    produces: 'text/event-stream',
    handler: async ({ query, principal, request, reply }) => {
      if (query.batch !== undefined) {
        const batch = await requireBatch(deps.redis, deps.prefix, query.batch);
        if (!canSeeCustomer(principal!, batch.customerId)) throw new HttpError(404, 'not-found', 'no such record');
      }
      // Resolve "from now" to a concrete stream id before telling the client it is connected, so an event appended
      // between the two is not lost.
      let after = query.after;
      if (after === '$') {
        const latest = await deps.redis.xrevrange(storeKeys(deps.prefix).events, '+', '-', 'COUNT', 1);
        after = latest[0]?.[0] ?? '0';
      }
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      raw.write(': connected\n\n');
      const reader = deps.redis.duplicate();
      // A duplicate has none of the original's listeners; without one, ioredis prints every failed reconnect attempt
      // to stderr while Redis is away. The read below waits or fails on its own.
      reader.on('error', () => undefined);
      let open = true;
      request.raw.on('close', () => {
        open = false;
        reader.disconnect();
      });
      const send = (event: string, data: unknown, id?: string): void => {
        if (!open) return;
        raw.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };

      const logOffsets = new Map<string, number>();
      const pollLogs = async (): Promise<void> => {
        if (query.batch === undefined) return;
        const batch = await requireBatch(deps.redis, deps.prefix, query.batch);
        for (const host of await batchHosts(deps.redis, deps.prefix, batch)) {
          const runId = `${batch.id}/${host.hostId}`;
          const from = logOffsets.get(runId) ?? 0;
          const { lines, next, dropped } = await readRunLog(deps.redis, deps.prefix, runId, from);
          logOffsets.set(runId, next);
          // Lines trimmed from the log before this poll read them: say so in the stream rather than skip in silence.
          if (dropped > 0) send('log', { runId, hostId: host.hostId, at: new Date().toISOString(), step: '', stream: 'system', line: `… ${dropped} line${dropped === 1 ? '' : 's'} not kept (a run log keeps its last ${RUN_LOG_MAX_LINES})` });
          for (const line of lines) send('log', { runId, hostId: host.hostId, ...line });
        }
      };
      const logTimer = setInterval(() => void pollLogs().catch(() => undefined), deps.logPollMs ?? 1000);

      try {
        while (open) {
          let events: StoredEvent[];
          try {
            events = await readEvents(reader, deps.prefix, { after, blockMs: 5000, count: 200 });
          } catch {
            break; // the client went away and the connection was closed under the blocking read
          }
          for (const event of events) {
            after = event.id;
            if (query.batch !== undefined && event.batchId !== query.batch) continue;
            if (!canSeeCustomer(principal!, event.customerId)) continue;
            send('orchestration', event, event.id);
          }
          if (events.length === 0 && open) raw.write(': keep-alive\n\n');
        }
      } finally {
        clearInterval(logTimer);
        reader.disconnect();
        raw.end();
      }
    },
  });
}
