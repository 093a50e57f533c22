import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { wholeNumberAtLeast } from '../../../src/interfaces/cli/arguments.js';

describe('wholeNumberAtLeast (--limit, --concurrency)', () => {
  const atLeastOne = wholeNumberAtLeast(1);

  it('takes whole numbers from the minimum up', () => {
    expect(atLeastOne('1')).toBe(1);
    expect(atLeastOne('250')).toBe(250);
    expect(wholeNumberAtLeast(0)('0')).toBe(0);
  });

  it('refuses what Number() would have let through, saying what was expected and given', () => {
    for (const text of ['abc', '', ' ', '-5', '0', '2.5', '1e3', '0x10', 'Infinity', '99999999999999999999']) {
      expect(() => atLeastOne(text), text).toThrow(InvalidArgumentError);
    }
    expect(() => atLeastOne('abc')).toThrow('expected a whole number of at least 1, given "abc"');
  });
});
