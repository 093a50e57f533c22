import type { Redis } from 'ioredis';
import type { FailureClass } from '../domain/failure-class.js';
import type { ProblemRecord } from '../store/problems.js';
import { RECURRING_FAILURE, WINDOW_TOO_SMALL_IN_A_ROW } from './escalation-rules.js';
import type { IncidentService } from './incident-service.js';
import type { ProblemService } from './problem-service.js';
import { occurrenceStartMs } from './run-events.js';

const ACTOR = 'system:problem-detector';

/**
 * Opens problems from patterns no single incident shows: the same failure class on the same playbook on
 * 3 or more hosts (or customers) within 7 days, and a window that overran or deferred hosts in three
 * occurrences in a row ("window too small"). Evidence lives in Redis so every replica sees the same counts.
 */
export class ProblemDetector {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #problems: ProblemService;
  readonly #incidents: IncidentService;

  constructor(redis: Redis, prefix: string, problems: ProblemService, incidents: IncidentService) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#problems = problems;
    this.#incidents = incidents;
  }

  /** Records one failed run and opens (or feeds) the recurring-failure problem when the evidence is enough. */
  async recordFailure(input: { customerId: string; hostId: string; playbookId: string; failureClass: FailureClass; at: Date; incidentId?: string }): Promise<ProblemRecord | undefined> {
    const key = `${this.#prefix}:helpdesk:failures:${input.playbookId}:${input.failureClass}`;
    const atMs = input.at.getTime();
    const member = `${input.customerId}/${input.hostId}`;
    await this.#redis.zadd(key, 'GT', 'CH', atMs, member);
    if (input.incidentId !== undefined) await this.#redis.hset(`${key}:incidents`, member, input.incidentId);
    await this.#redis.zremrangebyscore(key, '-inf', `(${atMs - RECURRING_FAILURE.withinMs}`);
    const members = (await this.#redis.zrangebyscore(key, atMs - RECURRING_FAILURE.withinMs, '+inf')) as string[];
    const customers = new Set(members.map((m) => m.slice(0, m.indexOf('/'))));
    if (members.length < RECURRING_FAILURE.hosts && customers.size < RECURRING_FAILURE.customers) return undefined;

    const { record } = await this.#problems.open(
      {
        customerId: customers.size === 1 ? input.customerId : null,
        title: `${input.failureClass} of playbook ${input.playbookId} on ${members.length} hosts within 7 days`,
        source: 'helpdesk',
        category: input.failureClass,
        impact: customers.size >= RECURRING_FAILURE.customers ? 'high' : 'medium',
        urgency: 'medium',
        dedupeKey: `recurring-failure/${input.playbookId}/${input.failureClass}`,
        trigger: { rule: 'recurring-failure', detail: { playbookId: input.playbookId, failureClass: input.failureClass, hosts: members, customers: [...customers].sort() } },
      },
      ACTOR,
    );
    // Every incident behind the evidence joins the problem, not only the one that tipped the count.
    const evidence = members.length === 0 ? [] : await this.#redis.hmget(`${key}:incidents`, ...members);
    for (const incidentId of new Set(evidence.filter((id): id is string => typeof id === 'string'))) await this.linkBothWays(record.id, incidentId);
    return record;
  }

  /**
   * Records that an occurrence of a window happened, and whether it overran or deferred hosts. Opens the
   * "window too small" problem when the last three occurrences (by start) were all troubled.
   */
  async recordOccurrence(input: { customerId: string; windowId: string; occurrenceId: string; troubled: boolean }): Promise<ProblemRecord | undefined> {
    const seen = `${this.#prefix}:helpdesk:window:${input.windowId}:occurrences`;
    const troubledKey = `${this.#prefix}:helpdesk:window:${input.windowId}:troubled`;
    const startMs = occurrenceStartMs(input.occurrenceId);
    await this.#redis.zadd(seen, startMs, input.occurrenceId);
    if (!input.troubled) return undefined;
    await this.#redis.sadd(troubledKey, input.occurrenceId);
    const lastThree = (await this.#redis.zrevrangebyscore(seen, startMs, '-inf', 'LIMIT', 0, WINDOW_TOO_SMALL_IN_A_ROW)) as string[];
    if (lastThree.length < WINDOW_TOO_SMALL_IN_A_ROW) return undefined;
    const flags = await this.#redis.smismember(troubledKey, ...lastThree);
    if (!flags.every((f) => f === 1)) return undefined;
    const { record } = await this.#problems.open(
      {
        customerId: input.customerId,
        title: `window ${input.windowId} too small: overran or deferred hosts ${WINDOW_TOO_SMALL_IN_A_ROW} occurrences in a row`,
        source: 'service',
        category: 'window-too-small',
        impact: 'medium',
        urgency: 'low',
        dedupeKey: `window-too-small/${input.windowId}`,
        trigger: { rule: 'window-too-small', detail: { windowId: input.windowId, occurrences: [...lastThree].reverse() } },
      },
      ACTOR,
    );
    return record;
  }

  async linkBothWays(problemId: string, incidentId: string): Promise<void> {
    await this.#problems.link(problemId, [incidentId], ACTOR);
    await this.#incidents.change(incidentId, ACTOR, 'incident.linked', 'incident.updated', (incident) =>
      incident.problemIds.includes(problemId) ? undefined : { record: { ...incident, problemIds: [...incident.problemIds, problemId] }, text: `linked to ${problemId}` },
    );
  }
}
