import { describe, expect, it } from 'vitest';
import {
  errorBudgetOf,
  exceedsErrorBudget,
  hostsToDispatch,
  maxConcurrencyOf,
  resolveCountOrPercent,
  waveEnds,
  type DispatchCounts,
} from '../../../src/domain/rollout.js';
import { finalBatchStatus } from '../../../src/domain/release-batch.js';

/** Failures after which dispatch stops, found by counting up as a rollout would. */
function stopsAtFailure(maxErrors: number | string, total: number): number {
  const budget = errorBudgetOf({ maxErrors }, total);
  let failures = 0;
  while (!exceedsErrorBudget(failures, budget)) failures += 1;
  return failures;
}

const idle = (total: number, extra: Partial<DispatchCounts> = {}): DispatchCounts => ({ total, dispatched: 0, inFlight: 0, failures: 0, customerInFlight: 0, ...extra });

describe('max_errors (SEMANTICS.md §3 vectors)', () => {
  it('"3" stops on the 4th failure, "0" on the 1st, 10 % of 50 on the 6th', () => {
    expect(stopsAtFailure(3, 50)).toBe(4);
    expect(stopsAtFailure(0, 50)).toBe(1);
    expect(stopsAtFailure('10%', 50)).toBe(6);
  });

  it('max_errors 2 over 20 hosts halts at the 3rd failure', () => {
    expect(stopsAtFailure(2, 20)).toBe(3);
    expect(hostsToDispatch({ maxErrors: 2, maxConcurrency: 1 }, idle(20, { dispatched: 8, failures: 2 }))).toBe(1);
    expect(hostsToDispatch({ maxErrors: 2, maxConcurrency: 1 }, idle(20, { dispatched: 8, failures: 3 }))).toBe(0);
  });

  it('percentages truncate: 15 % of 10 hosts tolerates 1 failure', () => {
    expect(errorBudgetOf({ maxErrors: '15%' }, 10)).toBe(1);
  });

  it('no max_errors means no budget: the batch never halts on failures', () => {
    expect(exceedsErrorBudget(1000, errorBudgetOf({}, 10))).toBe(false);
  });
});

describe('max_concurrency', () => {
  it('takes a number or a truncated percentage, never less than 1, default 50', () => {
    expect(maxConcurrencyOf({ maxConcurrency: 7 }, 100)).toBe(7);
    expect(maxConcurrencyOf({ maxConcurrency: '25%' }, 10)).toBe(2);
    expect(maxConcurrencyOf({ maxConcurrency: '5%' }, 10)).toBe(1);
    expect(maxConcurrencyOf({}, 500)).toBe(50);
  });

  it('limits the hosts in flight', () => {
    expect(hostsToDispatch({ maxConcurrency: 5 }, idle(20))).toBe(5);
    expect(hostsToDispatch({ maxConcurrency: 5 }, idle(20, { dispatched: 5, inFlight: 5 }))).toBe(0);
    expect(hostsToDispatch({ maxConcurrency: 5 }, idle(20, { dispatched: 5, inFlight: 3 }))).toBe(2);
  });

  it('rejects text that is neither a number nor a percentage, naming the value', () => {
    expect(() => resolveCountOrPercent('ten', 10)).toThrow(/"ten"/);
  });
});

describe('serial waves', () => {
  it('[1, "10%", "100%"] over 20 hosts: a canary of 1, then 2, then the rest', () => {
    expect(waveEnds([1, '10%', '100%'], 20)).toEqual([1, 3, 20]);
  });

  it('the last size repeats, and a percentage below one host still makes a wave of 1', () => {
    expect(waveEnds([2], 7)).toEqual([2, 4, 6, 7]);
    expect(waveEnds(['1%'], 3)).toEqual([1, 2, 3]);
    expect(waveEnds(undefined, 4)).toEqual([4]);
  });

  it('a wave starts only when every host of the earlier waves has finished', () => {
    const rules = { serial: [1, '10%', '100%'], maxConcurrency: '100%' };
    expect(hostsToDispatch(rules, idle(20))).toBe(1);
    expect(hostsToDispatch(rules, idle(20, { dispatched: 1, inFlight: 1 }))).toBe(0);
    expect(hostsToDispatch(rules, idle(20, { dispatched: 1, inFlight: 0 }))).toBe(2);
    expect(hostsToDispatch(rules, idle(20, { dispatched: 3, inFlight: 1 }))).toBe(0);
    expect(hostsToDispatch(rules, idle(20, { dispatched: 3, inFlight: 0 }))).toBe(17);
  });

  it('inside a wave, concurrency still applies', () => {
    expect(hostsToDispatch({ serial: [10], maxConcurrency: 4 }, idle(20, { dispatched: 4, inFlight: 2 }))).toBe(2);
  });
});

describe('per-customer concurrency', () => {
  it('counts the customer\'s hosts running in any batch', () => {
    expect(hostsToDispatch({ customerConcurrency: 3, maxConcurrency: 10 }, idle(20, { customerInFlight: 2 }))).toBe(1);
    expect(hostsToDispatch({ customerConcurrency: 3, maxConcurrency: 10 }, idle(20, { customerInFlight: 5 }))).toBe(0);
  });
});

describe('final batch status', () => {
  it('names the outcome from the counts', () => {
    expect(finalBatchStatus({ succeeded: 5, failed: 0, notRun: 0 })).toBe('succeeded');
    expect(finalBatchStatus({ succeeded: 0, failed: 5, notRun: 0 })).toBe('failed');
    expect(finalBatchStatus({ succeeded: 0, failed: 0, notRun: 5 })).toBe('expired');
    expect(finalBatchStatus({ succeeded: 3, failed: 1, notRun: 0 })).toBe('partially-failed');
    expect(finalBatchStatus({ succeeded: 3, failed: 0, notRun: 2 })).toBe('partially-failed');
  });
});
