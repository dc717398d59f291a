import { RetentionTask } from './retention-task';

describe('RetentionTask', () => {
  it('prunes with the cutoff of the retention period, one round at a time, and never throws', async () => {
    const cutoffs: Date[] = [];
    let release!: () => void;
    const prune = jest.fn(async (before: Date) => {
      cutoffs.push(before);
      await new Promise<void>((r) => (release = r));
      return 3;
    });
    const now = Date.parse('2026-11-28T12:00:00Z');
    const task = new RetentionTask('records', prune, 24, () => now);
    const first = task.runOnce();
    const second = task.runOnce(); // while the first is running: the same round
    release();
    await Promise.all([first, second]);
    expect(prune).toHaveBeenCalledTimes(1);
    expect(cutoffs[0]!.toISOString()).toBe('2026-11-27T12:00:00.000Z');

    const failing = new RetentionTask('records', async () => Promise.reject(new Error('database away')), 24);
    await expect(failing.runOnce()).resolves.toBeUndefined();
  });

  it('runs on its timer once bootstrapped, and stops with the app', async () => {
    jest.useFakeTimers();
    try {
      const prune = jest.fn(async () => 0);
      const task = new RetentionTask('records', prune, 1, Date.now, 1000);
      task.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(3000);
      expect(prune).toHaveBeenCalledTimes(3);
      await task.onApplicationShutdown();
      await jest.advanceTimersByTimeAsync(3000);
      expect(prune).toHaveBeenCalledTimes(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
