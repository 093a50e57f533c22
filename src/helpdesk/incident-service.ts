import type { Redis } from 'ioredis';
import { computePriority, ITIL_PRIORITY_MATRIX, type Level, type PriorityMatrix } from '../domain/priority.js';
import { AppError } from '../errors.js';
import type { Clock } from '../platform/clock.js';
import { IncidentRepository, OPEN_INCIDENT_STATUSES, type IncidentRecord, type IncidentSource, type IncidentStatus } from '../store/incidents.js';
import type { TicketListFilter, TimelineEntry } from '../store/tickets.js';
import { auditChange } from './audit-trail.js';
import type { HelpdeskDirectory } from './directory.js';
import { newEventId, type EventPublisher, type HelpdeskEventType } from './events.js';
import { dueMilestones, openSla, pauseSla, reopenResolution, resumeSla, retargetSla, stopResolution, stopResponse } from './incident-sla.js';
import { assertTransition, INCIDENT_TRANSITIONS } from './status-transitions.js';

export interface HelpdeskContext {
  redis: Redis;
  prefix: string;
  directory: HelpdeskDirectory;
  clock: Clock;
  publisher: EventPublisher;
  priorityMatrix?: PriorityMatrix;
}

export interface OpenIncidentInput {
  customerId: string;
  title: string;
  source: IncidentSource;
  category: string;
  impact: Level;
  urgency: Level;
  hosts?: string[];
  dedupeKey?: string;
  run?: IncidentRecord['run'];
  alert?: IncidentRecord['alert'];
}

/** What a change does to a record: the new record and the line it adds to the timeline. */
export type IncidentChange = { record: IncidentRecord; text?: string; from?: unknown; to?: unknown } | undefined;

/** Incidents: open, assign, note, move through statuses, resolve, close; SLA clocks ride along. */
export class IncidentService {
  readonly repository: IncidentRepository;
  readonly #context: HelpdeskContext;
  readonly #matrix: PriorityMatrix;

  constructor(context: HelpdeskContext) {
    this.#context = context;
    this.#matrix = context.priorityMatrix ?? ITIL_PRIORITY_MATRIX;
    this.repository = new IncidentRepository(context.redis, context.prefix);
  }

  /** Opens an incident, or returns the open one holding the same `dedupeKey` (with `created: false`). */
  async open(input: OpenIncidentInput, actor: string): Promise<{ record: IncidentRecord; created: boolean }> {
    if (input.title.trim() === '') throw new AppError('input-invalid', 'incident title: expected some text saying what is wrong, given an empty title');
    const { directory, clock } = this.#context;
    const now = clock.now();
    const calendar = directory.calendarFor(input.customerId);
    const priority = computePriority(input.impact, input.urgency, this.#matrix);
    const at = now.toISOString();
    const draft: Omit<IncidentRecord, 'id'> = {
      customerId: input.customerId,
      title: input.title.trim(),
      source: input.source,
      category: input.category,
      impact: input.impact,
      urgency: input.urgency,
      priority,
      status: 'new',
      assignee: null,
      hosts: [...new Set(input.hosts ?? [])],
      sla: openSla(calendar, directory.slaTargetsFor(input.customerId, priority), now),
      run: input.run ?? null,
      alert: input.alert ?? null,
      waitingUntil: null,
      problemIds: [],
      resolvedAt: null,
      closedAt: null,
      resolution: null,
      openedAt: at,
      updatedAt: at,
      dedupeKey: input.dedupeKey ?? null,
    };
    const result = await this.repository.create(draft, { at, actor, action: 'incident.opened', text: draft.title });
    if (result.created) await this.#announce('incident.opened', actor, now, undefined, result.record, `${result.record.id} opened (P${priority}): ${draft.title}`);
    return result;
  }

  now(): Date {
    return this.#context.clock.now();
  }

  async get(id: string): Promise<IncidentRecord> {
    return await this.repository.require(id);
  }

  async list(filter: TicketListFilter = {}): Promise<IncidentRecord[]> {
    return await this.repository.list(filter);
  }

  /** Every open incident (no page limit: the SLA tick and recovery must see them all). */
  async listOpen(customerId?: string): Promise<IncidentRecord[]> {
    return await this.repository.list({ customerId, statuses: OPEN_INCIDENT_STATUSES, limit: Number.MAX_SAFE_INTEGER });
  }

  async timeline(id: string): Promise<TimelineEntry[]> {
    return await this.repository.timeline(id);
  }

  async assign(id: string, assignee: string, actor: string): Promise<IncidentRecord> {
    if (assignee.trim() === '') throw new AppError('input-invalid', `assigning ${id}: expected the name of an engineer, given an empty name`);
    return await this.change(id, actor, 'incident.assigned', 'incident.assigned', (record, now) => {
      if (record.status === 'resolved' || record.status === 'closed') {
        throw new AppError('conflict', `${id} is ${record.status}; reopen it (status in-progress) before assigning it`);
      }
      const status: IncidentStatus = record.status === 'new' ? 'assigned' : record.status;
      const sla = stopResponse(this.#calendar(record), record.sla, now);
      return { record: { ...record, assignee: assignee.trim(), status, sla }, from: record.assignee, to: assignee.trim() };
    });
  }

  /** A note is a response: it stops the response clock. */
  async note(id: string, text: string, actor: string): Promise<IncidentRecord> {
    if (text.trim() === '') throw new AppError('input-invalid', `note on ${id}: expected some text, given an empty note`);
    return await this.change(id, actor, 'incident.noted', 'incident.updated', (record, now) => {
      if (record.status === 'closed') throw new AppError('conflict', `${id} is closed; closed incidents take no more notes`);
      return { record: { ...record, sla: stopResponse(this.#calendar(record), record.sla, now) }, text: text.trim() };
    });
  }

  /**
   * Moves an incident to another status. `waiting-for-window` needs `until` (when the window opens): the SLA
   * clocks pause now and `tick` resumes them at that instant.
   */
  async setStatus(id: string, status: IncidentStatus, actor: string, options: { note?: string; until?: Date } = {}): Promise<IncidentRecord> {
    if (status === 'waiting-for-window' && options.until === undefined) {
      throw new AppError('input-invalid', `${id} -> waiting-for-window: expected the instant the maintenance window opens (--until), given none`);
    }
    const eventType: HelpdeskEventType = status === 'resolved' ? 'incident.resolved' : status === 'closed' ? 'incident.closed' : 'incident.status-changed';
    return await this.change(id, actor, `incident.${status}`, eventType, (record, now) => {
      if (record.status === status && status !== 'waiting-for-window') return undefined;
      if (record.status !== status) assertTransition(INCIDENT_TRANSITIONS, id, record.status, status);
      const calendar = this.#calendar(record);
      let sla = record.sla;
      let waitingUntil: string | null = null;
      if (record.status === 'waiting-for-window') sla = resumeSla(calendar, sla, now);
      if (record.status === 'resolved') sla = reopenResolution(calendar, sla, now);
      if (status !== 'new') sla = stopResponse(calendar, sla, now);
      if (status === 'waiting-for-window') {
        sla = pauseSla(calendar, sla, now);
        waitingUntil = (options.until as Date).toISOString();
      }
      if (status === 'resolved') sla = stopResolution(calendar, sla, now);
      const next: IncidentRecord = {
        ...record,
        status,
        sla,
        waitingUntil,
        resolvedAt: status === 'resolved' ? now.toISOString() : status === 'closed' ? record.resolvedAt : null,
        resolution: status === 'resolved' ? (options.note?.trim() ?? record.resolution) : status === 'closed' ? record.resolution : null,
        closedAt: status === 'closed' ? now.toISOString() : null,
      };
      return { record: next, from: record.status, to: status, text: options.note?.trim() };
    });
  }

  async resolve(id: string, note: string, actor: string): Promise<IncidentRecord> {
    if (note.trim() === '') throw new AppError('input-invalid', `resolving ${id}: expected a note saying what fixed it, given an empty note`);
    return await this.setStatus(id, 'resolved', actor, { note });
  }

  async close(id: string, actor: string): Promise<IncidentRecord> {
    return await this.setStatus(id, 'closed', actor);
  }

  /** New impact or urgency: the priority follows the matrix and the SLA targets follow the priority. */
  reclassify(record: IncidentRecord, impact: Level, urgency: Level): IncidentRecord {
    const priority = computePriority(impact, urgency, this.#matrix);
    if (priority === record.priority && impact === record.impact && urgency === record.urgency) return record;
    const targets = this.#context.directory.slaTargetsFor(record.customerId, priority);
    return { ...record, impact, urgency, priority, sla: retargetSla(this.#calendar(record), record.sla, targets) };
  }

  /**
   * Resumes incidents whose window has opened (at the window's start, not at the tick) and announces SLA
   * milestones that have passed. Safe to run on several replicas: each milestone is recorded on the record
   * in the same versioned update that decides to announce it.
   */
  async tick(): Promise<{ resumed: string[]; milestones: Array<{ id: string; milestone: string }> }> {
    const now = this.#context.clock.now();
    const resumed: string[] = [];
    const milestones: Array<{ id: string; milestone: string }> = [];
    for (const open of await this.listOpen()) {
      if (open.status === 'waiting-for-window' && open.waitingUntil !== null && Date.parse(open.waitingUntil) <= now.getTime()) {
        const resumeAt = new Date(open.waitingUntil);
        await this.change(open.id, 'system:helpdesk', 'incident.in-progress', 'incident.status-changed', (record) => {
          if (record.status !== 'waiting-for-window' || record.waitingUntil === null) return undefined;
          return {
            record: { ...record, status: 'in-progress', waitingUntil: null, sla: resumeSla(this.#calendar(record), record.sla, resumeAt) },
            from: record.status,
            to: 'in-progress',
            text: `maintenance window opened at ${resumeAt.toISOString()}; SLA clocks resumed`,
          };
        });
        resumed.push(open.id);
      }
      const current = await this.repository.require(open.id);
      const passed = dueMilestones(this.#calendar(current), current.sla, now);
      if (passed.length === 0) continue;
      let announced: typeof passed = [];
      const { after, changed } = await this.repository.update(open.id, (record) => {
        announced = dueMilestones(this.#calendar(record), record.sla, now);
        if (announced.length === 0) return undefined;
        const keys = announced.map((m) => `${m.clock}.${m.milestone}` as const);
        return {
          record: { ...record, sla: { ...record.sla, emitted: [...record.sla.emitted, ...keys] }, updatedAt: now.toISOString() },
          timeline: announced.map((m) => ({ at: m.at.toISOString(), actor: 'system:helpdesk', action: `incident.sla.${m.milestone}`, text: `${m.clock} SLA ${m.milestone === 'breached' ? 'breached' : 'at 80 %'}` })),
        };
      });
      if (!changed) continue;
      for (const m of announced) {
        const type = m.milestone === 'breached' ? 'incident.sla.breached' : 'incident.sla.near-breach';
        await auditChange(this.#context.redis, this.#context.prefix, { actor: 'system:helpdesk', action: type, subject: `incident/${after.id}`, customerId: after.customerId, after: { clock: m.clock, at: m.at.toISOString() }, at: now });
        await this.#context.publisher.publish({
          id: `${after.id}.${m.clock}.${m.milestone}`,
          type,
          at: m.at.toISOString(),
          customerId: after.customerId,
          subject: `incident/${after.id}`,
          summary: `${after.id} (P${after.priority}) ${m.clock} SLA ${m.milestone === 'breached' ? 'breached' : 'near breach (80 %)'}: ${after.title}`,
          data: { incident: after, clock: m.clock, milestone: m.milestone },
        });
        milestones.push({ id: after.id, milestone: `${m.clock}.${m.milestone}` });
      }
    }
    return { resumed, milestones };
  }

  /**
   * The one way a stored incident changes: versioned update, timeline line, audit entry, event. `mutate` may
   * return `undefined` for "already so" (idempotent replays change nothing and announce nothing).
   */
  async change(id: string, actor: string, action: string, eventType: HelpdeskEventType, mutate: (record: IncidentRecord, now: Date) => IncidentChange): Promise<IncidentRecord> {
    const now = this.#context.clock.now();
    let line: TimelineEntry | undefined;
    const { before, after, changed } = await this.repository.update(id, (record) => {
      const result = mutate(record, now);
      if (result === undefined) return undefined;
      line = { at: now.toISOString(), actor, action, ...(result.text === undefined ? {} : { text: result.text }), ...(result.from === undefined ? {} : { from: result.from }), ...(result.to === undefined ? {} : { to: result.to }) };
      return { record: { ...result.record, updatedAt: now.toISOString() }, timeline: [line] };
    });
    if (changed) await this.#announce(eventType, actor, now, before, after, `${after.id} ${describeLine(line)}`, action);
    return after;
  }

  #calendar(record: IncidentRecord) {
    return this.#context.directory.calendarFor(record.customerId);
  }

  async #announce(type: HelpdeskEventType, actor: string, at: Date, before: IncidentRecord | undefined, after: IncidentRecord, summary: string, action: string = type): Promise<void> {
    await auditChange(this.#context.redis, this.#context.prefix, { actor, action, subject: `incident/${after.id}`, customerId: after.customerId, before, after, at });
    await this.#context.publisher.publish({ id: newEventId(), type, at: at.toISOString(), customerId: after.customerId, subject: `incident/${after.id}`, summary, data: { incident: after } });
  }
}

function describeLine(line: TimelineEntry | undefined): string {
  if (line === undefined) return 'changed';
  const move = line.from !== undefined || line.to !== undefined ? ` ${String(line.from ?? '-')} -> ${String(line.to ?? '-')}` : '';
  return `${line.action.replace(/^incident\./, '')}${move}${line.text === undefined ? '' : `: ${line.text}`}`;
}
