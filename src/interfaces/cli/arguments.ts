import { InvalidArgumentError } from 'commander';

/**
 * A parser for an option that takes a whole number of at least `min` (`--limit`, `--concurrency`). `Number(text)`
 * alone turned `--limit abc` into NaN, which listed everything, and `--limit -5` into an empty list.
 */
export function wholeNumberAtLeast(min: number): (text: string) => number {
  return (text) => {
    const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}, given ${JSON.stringify(text)}`);
    return value;
  };
}
