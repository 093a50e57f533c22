import { TransportError, type ExecOptions, type ExecResult, type RebootResult, type Transport } from '../../../src/execution/transport.js';

/** A scripted transport for unit tests of the runner: each rule answers the commands that contain its text. */
export interface FakeRule {
  contains: string;
  /** Answers in turn; the last one repeats. */
  answers: Array<Partial<ExecResult> | TransportError>;
}

export class FakeTransport implements Transport {
  readonly kind = 'fake';
  readonly shell = 'posix' as const;
  readonly executed: Array<{ command: string; options: ExecOptions }> = [];
  reboots = 0;
  private readonly served = new Map<FakeRule, number>();

  constructor(
    readonly hostId: string,
    private readonly rules: FakeRule[],
    private readonly rebootAnswer: RebootResult | TransportError = { bootTimeBefore: '2026-01-01T00:00:00Z', bootTimeAfter: '2026-01-01T00:05:00Z', durationMs: 300_000 },
  ) {}

  async connect(): Promise<void> {}

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.executed.push({ command, options });
    const rule = this.rules.find((r) => command.includes(r.contains));
    if (rule === undefined) return { exitCode: 0, stdout: '', stderr: '', stdoutTruncatedBytes: 0, stderrTruncatedBytes: 0, durationMs: 1 };
    const index = this.served.get(rule) ?? 0;
    this.served.set(rule, index + 1);
    const answer = rule.answers[Math.min(index, rule.answers.length - 1)];
    if (answer instanceof TransportError) throw answer;
    return { exitCode: 0, stdout: '', stderr: '', stdoutTruncatedBytes: 0, stderrTruncatedBytes: 0, durationMs: 1, ...answer };
  }

  async reboot(): Promise<RebootResult> {
    this.reboots += 1;
    if (this.rebootAnswer instanceof TransportError) throw this.rebootAnswer;
    return this.rebootAnswer;
  }

  async close(): Promise<void> {}

  ran(text: string): boolean {
    return this.executed.some((e) => e.command.includes(text));
  }
}
