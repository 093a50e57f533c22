import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/platform/logger.js';
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
});
