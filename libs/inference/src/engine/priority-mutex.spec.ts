import { PriorityMutex } from './priority-mutex';

describe('PriorityMutex', () => {
  it('runs one call at a time, the lowest priority number next, then in arrival order', async () => {
    const mutex = new PriorityMutex();
    const order: string[] = [];
    let release!: () => void;
    const holding = mutex.run(1, () => new Promise<void>((r) => (release = r)).then(() => void order.push('first')));
    const calls = [
      mutex.run(1, async () => void order.push('batch-a')),
      mutex.run(1, async () => void order.push('batch-b')),
      mutex.run(0, async () => void order.push('interactive')),
    ];
    expect(mutex.queued).toBe(3);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]); // nothing overtakes the running call
    release();
    await Promise.all([holding, ...calls]);
    expect(order).toEqual(['first', 'interactive', 'batch-a', 'batch-b']);
    expect(mutex.queued).toBe(0);
  });

  it("passes each call's result or error to its caller and keeps going after an error", async () => {
    const mutex = new PriorityMutex();
    const failing = mutex.run(0, async () => {
      throw new Error('ORT failed');
    });
    const throwing = mutex.run(0, () => {
      throw new Error('thrown before any promise');
    });
    await expect(failing).rejects.toThrow('ORT failed');
    await expect(throwing).rejects.toThrow('thrown before any promise');
    await expect(mutex.run(1, async () => 42)).resolves.toBe(42);
  });
});
