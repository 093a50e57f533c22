/**
 * Rollout arithmetic for one release batch: how many hosts may start now, given the batch's concurrency,
 * serial waves, per-customer cap and error budget. Pure: the dispatcher reads counts from Redis and asks here.
 *
 * Percentages truncate (Ansible's rule for batch sizes); sizes that are not error budgets never fall below 1.
 * See docs/orchestration.md for the rules with their sources (SSM MaxConcurrency/MaxErrors, Ansible serial).
 */

/** `5` or `"10%"`, as written in a window's `rollout`. */
export type CountOrPercent = number | string;

export interface RolloutRules {
  maxConcurrency?: CountOrPercent;
  maxErrors?: CountOrPercent;
  serial?: readonly CountOrPercent[];
  customerConcurrency?: number;
}

/** SSM's default for MaxConcurrency when a window sets none. */
export const DEFAULT_MAX_CONCURRENCY = 50;

const PERCENT_PATTERN = /^(\d+(?:\.\d+)?)%$/;

/** Resolves a count or percentage of `total`; percentages truncate. Throws on text that is neither. */
export function resolveCountOrPercent(value: CountOrPercent, total: number): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`rollout: expected a whole number of hosts >= 0, given ${value}`);
    return value;
  }
  const match = PERCENT_PATTERN.exec(value.trim());
  if (match === null) throw new RangeError(`rollout: expected a number or a percentage like "10%", given ${JSON.stringify(value)}`);
  return Math.floor((total * Number(match[1])) / 100);
}

/** Hosts of the batch that may run at once; at least 1. */
export function maxConcurrencyOf(rules: RolloutRules, total: number): number {
  const value = rules.maxConcurrency === undefined ? DEFAULT_MAX_CONCURRENCY : resolveCountOrPercent(rules.maxConcurrency, total);
  return Math.max(1, value);
}

/**
 * The error budget: dispatch stops when failures EXCEED it (SSM MaxErrors: "3" stops at the 4th error, "0" at the
 * 1st, 10 % of 50 at the 6th). Undefined means no budget: the batch never halts on failures.
 */
export function errorBudgetOf(rules: RolloutRules, total: number): number | undefined {
  return rules.maxErrors === undefined ? undefined : resolveCountOrPercent(rules.maxErrors, total);
}

export function exceedsErrorBudget(failures: number, budget: number | undefined): boolean {
  return budget !== undefined && failures > budget;
}

/**
 * Serial waves as cumulative end positions in the batch's host order. `[1, "10%", "100%"]` over 20 hosts gives
 * sizes 1, 2, 20 and ends [1, 3, 20]; the last size repeats until every host has a wave (Ansible `serial`).
 */
export function waveEnds(serial: readonly CountOrPercent[] | undefined, total: number): number[] {
  if (total === 0) return [];
  if (serial === undefined || serial.length === 0) return [total];
  const sizes = serial.map((value) => Math.max(1, resolveCountOrPercent(value, total)));
  const ends: number[] = [];
  let position = 0;
  for (let index = 0; position < total; index++) {
    const size = sizes[Math.min(index, sizes.length - 1)] as number;
    position = Math.min(total, position + size);
    ends.push(position);
  }
  return ends;
}

export interface DispatchCounts {
  /** Hosts in the batch. */
  total: number;
  /** Hosts handed out so far (in host order): the next one to start is at this position. */
  dispatched: number;
  /** Dispatched hosts that have not finished (queued or running). */
  inFlight: number;
  /** Dispatched hosts that failed (interrupted runs count as failures). */
  failures: number;
  /** Hosts of this batch's customer running in any batch, when a customer cap applies. */
  customerInFlight: number;
}

/**
 * How many more hosts may be dispatched now: 0 once the error budget is exceeded; otherwise bounded by the
 * current serial wave (a wave starts only when every earlier host has finished), the batch concurrency and the
 * customer cap.
 */
export function hostsToDispatch(rules: RolloutRules, counts: DispatchCounts): number {
  const { total, dispatched, inFlight, failures, customerInFlight } = counts;
  if (dispatched >= total) return 0;
  if (exceedsErrorBudget(failures, errorBudgetOf(rules, total))) return 0;
  const ends = waveEnds(rules.serial, total);
  const waveStart = [0, ...ends].filter((end) => end <= dispatched).at(-1) ?? 0;
  const waveEnd = ends.find((end) => end > dispatched) ?? total;
  const finished = dispatched - inFlight;
  if (finished < waveStart) return 0;
  let slots = Math.min(waveEnd - dispatched, maxConcurrencyOf(rules, total) - inFlight);
  if (rules.customerConcurrency !== undefined) slots = Math.min(slots, rules.customerConcurrency - customerInFlight);
  return Math.max(0, slots);
}
