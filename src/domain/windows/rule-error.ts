import { AppError } from '../../errors.js';

/** An RRULE or cron expression that cannot be read. The message names the part, what is allowed and what was given. */
export class WindowRuleError extends AppError {
  constructor(message: string) {
    super('config-invalid', message);
  }
}
