import { describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../../src/platform/logger.js';
import { ShutdownCoordinator } from '../../../src/platform/shutdown.js';

describe('ShutdownCoordinator', () => {
  it('runs cleanups newest first, each once, even when one fails', async () => {
    const order: string[] = [];
    const shutdown = new ShutdownCoordinator(silentLogger());
    shutdown.add('redis', () => void order.push('redis'));
    shutdown.add('workers', () => {
      order.push('workers');
      throw new Error('worker close failed');
    });
    shutdown.add('scheduler', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push('scheduler');
    });
    const [a, b] = [shutdown.shutdown(), shutdown.shutdown()];
    expect(a).toBe(b);
    await a;
    await shutdown.shutdown();
    expect(order).toEqual(['scheduler', 'workers', 'redis']);
    expect(shutdown.state).toBe('stopped');
  });

  it('shuts down gracefully on the first signal and forces the exit on the second', async () => {
    const exits: number[] = [];
    const shutdown = new ShutdownCoordinator(silentLogger(), { exit: (code) => void exits.push(code) });
    let release: () => void = () => undefined;
    shutdown.add('slow worker', () => new Promise<void>((resolve) => (release = resolve)));
    const done = shutdown.handleSignals(['SIGUSR2']);
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(shutdown.state).toBe('stopping');
    expect(exits).toEqual([]);
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(exits).toEqual([130]);
    release();
    await done;
    expect(shutdown.state).toBe('stopped');
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });

  it('names the cleanup it was still waiting for when it forces the exit, after the timeout or on the second signal', async () => {
    const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const record = (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message });
    const logger = { info: record, warn: record, error: record, debug: () => undefined } as unknown as Logger;
    const exits: number[] = [];
    const shutdown = new ShutdownCoordinator(logger, { exit: (code) => void exits.push(code), forceAfterMs: 20 });
    let release: () => void = () => undefined;
    shutdown.add('redis connection', () => undefined);
    shutdown.add('scheduler', () => new Promise<void>((resolve) => (release = resolve)));
    shutdown.add('http api', () => undefined);
    const done = shutdown.handleSignals(['SIGUSR2']);
    process.emit('SIGUSR2', 'SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(exits).toEqual([1]);
    expect(lines.at(-1)).toEqual({ fields: { afterMs: 20, waitingFor: 'scheduler' }, message: 'shutdown took too long (still stopping: scheduler): forcing exit' });
    process.emit('SIGUSR2', 'SIGUSR2');
    expect(exits).toEqual([1, 130]);
    expect(lines.at(-1)?.message).toBe('second signal: forcing exit without waiting for cleanups (still stopping: scheduler)');
    release();
    await done;
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });
});
