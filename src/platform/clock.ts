/**
 * The one source of "now". Production code takes a `Clock` instead of calling `Date.now()`, so that tests of
 * windows, SLA clocks and approvals expiry can run at a fixed instant.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stays where it is put; `advance` moves it. For tests and simulations. */
export class FixedClock implements Clock {
  #nowMs: number;

  constructor(start: Date | string) {
    this.#nowMs = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#nowMs);
  }

  set(instant: Date | string): void {
    this.#nowMs = new Date(instant).getTime();
  }

  advance(ms: number): void {
    this.#nowMs += ms;
  }
}
