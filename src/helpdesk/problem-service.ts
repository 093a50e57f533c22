import { computePriority, ITIL_PRIORITY_MATRIX, type Level, type PriorityMatrix } from '../domain/priority.js';
import { AppError } from '../errors.js';
import { OPEN_PROBLEM_STATUSES, ProblemRepository, type EffortEstimate, type ProblemRecord, type ProblemSource, type ProblemStatus } from '../store/problems.js';
import type { TicketListFilter, TimelineEntry } from '../store/tickets.js';
import { auditChange } from './audit-trail.js';
import { newEventId, type HelpdeskEventType } from './events.js';
import type { HelpdeskContext } from './incident-service.js';
import { assertTransition, PROBLEM_TRANSITIONS } from './status-transitions.js';

export interface OpenProblemInput {
  customerId: string | null;
  title: string;
  source: ProblemSource;
  category: string;
  impact: Level;
  urgency: Level;
  effort?: EffortEstimate;
  incidentIds?: string[];
  dedupeKey?: string;
  trigger?: ProblemRecord['trigger'];
}

type ProblemChange = { record: ProblemRecord; text?: string; from?: unknown; to?: unknown } | undefined;

/** Problems: the cause behind incidents. Open, investigate, record a known error, link incidents, resolve, close. */
export class ProblemService {
  readonly repository: ProblemRepository;
  readonly #context: HelpdeskContext;
  readonly #matrix: PriorityMatrix;

  constructor(context: HelpdeskContext) {
    this.#context = context;
    this.#matrix = context.priorityMatrix ?? ITIL_PRIORITY_MATRIX;
    this.repository = new ProblemRepository(context.redis, context.prefix);
  }

  async open(input: OpenProblemInput, actor: string): Promise<{ record: ProblemRecord; created: boolean }> {
    if (input.title.trim() === '') throw new AppError('input-invalid', 'problem title: expected some text naming the suspected cause, given an empty title');
    if (input.effort !== undefined) assertEffort(input.effort);
    const now = this.#context.clock.now();
    const at = now.toISOString();
    const draft: Omit<ProblemRecord, 'id'> = {
      customerId: input.customerId,
      title: input.title.trim(),
      source: input.source,
      category: input.category,
      impact: input.impact,
      urgency: input.urgency,
      priority: computePriority(input.impact, input.urgency, this.#matrix),
      status: 'new',
      assignee: null,
      effort: input.effort ?? null,
      incidentIds: [...new Set(input.incidentIds ?? [])],
      trigger: input.trigger ?? null,
      knownErrorWorkaround: null,
      resolvedAt: null,
      closedAt: null,
      resolution: null,
      openedAt: at,
      updatedAt: at,
      dedupeKey: input.dedupeKey ?? null,
    };
    const result = await this.repository.create(draft, { at, actor, action: 'problem.opened', text: draft.title });
    if (result.created) await this.#announce('problem.opened', 'problem.opened', actor, now, undefined, result.record, `${result.record.id} opened (P${draft.priority}): ${draft.title}`);
    return result;
  }

  async get(id: string): Promise<ProblemRecord> {
    return await this.repository.require(id);
  }

  async list(filter: TicketListFilter = {}): Promise<ProblemRecord[]> {
    return await this.repository.list(filter);
  }

  async listOpen(): Promise<ProblemRecord[]> {
    return await this.repository.list({ statuses: OPEN_PROBLEM_STATUSES, limit: Number.MAX_SAFE_INTEGER });
  }

  async timeline(id: string): Promise<TimelineEntry[]> {
    return await this.repository.timeline(id);
  }

  async assign(id: string, assignee: string, actor: string): Promise<ProblemRecord> {
    if (assignee.trim() === '') throw new AppError('input-invalid', `assigning ${id}: expected the name of an engineer, given an empty name`);
    return await this.change(id, actor, 'problem.assigned', 'problem.updated', (record) => ({ record: { ...record, assignee: assignee.trim() }, from: record.assignee, to: assignee.trim() }));
  }

  async note(id: string, text: string, actor: string): Promise<ProblemRecord> {
    if (text.trim() === '') throw new AppError('input-invalid', `note on ${id}: expected some text, given an empty note`);
    return await this.change(id, actor, 'problem.noted', 'problem.updated', (record) => ({ record, text: text.trim() }));
  }

  async estimate(id: string, effort: EffortEstimate, actor: string): Promise<ProblemRecord> {
    assertEffort(effort);
    return await this.change(id, actor, 'problem.estimated', 'problem.updated', (record) => ({ record: { ...record, effort }, from: record.effort, to: effort }));
  }

  /** Links incidents to the problem (idempotent); the incident side is linked by the caller. */
  async link(id: string, incidentIds: readonly string[], actor: string): Promise<ProblemRecord> {
    return await this.change(id, actor, 'problem.linked', 'problem.updated', (record) => {
      const added = incidentIds.filter((i) => !record.incidentIds.includes(i));
      if (added.length === 0) return undefined;
      return { record: { ...record, incidentIds: [...record.incidentIds, ...added] }, text: added.join(', ') };
    });
  }

  /** `known-error` takes the workaround as its note; `resolved` takes what removed the cause. */
  async setStatus(id: string, status: ProblemStatus, actor: string, note?: string): Promise<ProblemRecord> {
    if ((status === 'resolved' || status === 'known-error') && (note === undefined || note.trim() === '')) {
      throw new AppError('input-invalid', `${id} -> ${status}: expected a note (${status === 'resolved' ? 'what removed the cause' : 'the workaround'}), given none`);
    }
    const eventType: HelpdeskEventType = status === 'resolved' ? 'problem.resolved' : status === 'closed' ? 'problem.closed' : 'problem.updated';
    return await this.change(id, actor, `problem.${status}`, eventType, (record, now) => {
      if (record.status === status) return undefined;
      assertTransition(PROBLEM_TRANSITIONS, id, record.status, status);
      const text = note?.trim();
      return {
        record: {
          ...record,
          status,
          knownErrorWorkaround: status === 'known-error' ? (text ?? null) : record.knownErrorWorkaround,
          resolution: status === 'resolved' ? (text ?? null) : status === 'closed' ? record.resolution : null,
          resolvedAt: status === 'resolved' ? now.toISOString() : status === 'closed' ? record.resolvedAt : null,
          closedAt: status === 'closed' ? now.toISOString() : null,
        },
        from: record.status,
        to: status,
        text,
      };
    });
  }

  async change(id: string, actor: string, action: string, eventType: HelpdeskEventType, mutate: (record: ProblemRecord, now: Date) => ProblemChange): Promise<ProblemRecord> {
    const now = this.#context.clock.now();
    let text = '';
    const { before, after, changed } = await this.repository.update(id, (record) => {
      const result = mutate(record, now);
      if (result === undefined) return undefined;
      const line: TimelineEntry = { at: now.toISOString(), actor, action, ...(result.text === undefined ? {} : { text: result.text }), ...(result.from === undefined ? {} : { from: result.from }), ...(result.to === undefined ? {} : { to: result.to }) };
      text = `${action.replace(/^problem\./, '')}${result.text === undefined ? '' : `: ${result.text}`}`;
      return { record: { ...result.record, updatedAt: now.toISOString() }, timeline: [line] };
    });
    if (changed) await this.#announce(eventType, action, actor, now, before, after, `${after.id} ${text}`);
    return after;
  }

  async #announce(type: HelpdeskEventType, action: string, actor: string, at: Date, before: ProblemRecord | undefined, after: ProblemRecord, summary: string): Promise<void> {
    await auditChange(this.#context.redis, this.#context.prefix, { actor, action, subject: `problem/${after.id}`, customerId: after.customerId, before, after, at });
    await this.#context.publisher.publish({ id: newEventId(), type, at: at.toISOString(), customerId: after.customerId, subject: `problem/${after.id}`, summary, data: { problem: after } });
  }
}

function assertEffort(effort: EffortEstimate): void {
  const problems: string[] = [];
  if (!Number.isInteger(effort.people) || effort.people < 1) problems.push(`people: expected a whole number of at least 1, given ${effort.people}`);
  if (!(effort.hours > 0)) problems.push(`hours: expected a number of hours above 0, given ${effort.hours}`);
  if (problems.length > 0) throw new AppError('input-invalid', `effort estimate: ${problems.join('; ')}`);
}
