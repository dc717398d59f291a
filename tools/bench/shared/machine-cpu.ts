import { readFile } from 'node:fs/promises';

/**
 * CPU seconds the whole machine has spent busy (all cores: user, nice, system, irq, softirq,
 * steal), from /proc/stat. The difference over a phase, less what the measured processes used,
 * is what the rest of the rig (PostgreSQL, Redis, the kernel's own threads) took.
 */
export async function machineCpuSeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / 100; // USER_HZ: 100 ticks a second
}
