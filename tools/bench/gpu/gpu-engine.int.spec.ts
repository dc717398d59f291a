import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');

/**
 * The GPU benchmark cannot run here, but all of its Node half can: the pack it carries, the
 * unpacked Node binary and onnxruntime-node, the compiled engine loop, the report. Only the
 * PyTorch half is left to the GPU machine (and syntax-checked here).
 */
describe('tools/bench/gpu-engine.sh --dry-run', () => {
  it('packs, unpacks and runs the engine half end to end on CPU', () => {
    execFileSync(process.execPath, ['-r', '@swc-node/register', 'tools/bench/gpu/pack.ts', '--fast'], { cwd: ROOT });
    const work = mkdtempSync(join(tmpdir(), 'dg-gpu-dry-'));
    const out = execFileSync('bash', ['tools/bench/gpu-engine.sh', '--dry-run'], {
      cwd: ROOT,
      env: { ...process.env, WORK: work, BATCHES: '1,2', TOKENS: '6' },
      encoding: 'utf8',
    });
    expect(out).toMatch(/cpu batch 1: [\d.]+ tokens\/s/);
    expect(out).toMatch(/cpu batch 2: [\d.]+ tokens\/s/);
    expect(out.trim().split('\n').pop()).toMatch(/^gpu-engine: n\/a \(target >= 1.0\)$/);
    const engine = JSON.parse(readFileSync(join(work, 'engine.json'), 'utf8'));
    expect(engine.results[0]).toMatchObject({ provider: 'cpu', imagePromptTokens: expect.any(Number) });
    expect(engine.results[0].imagePromptTokens).toBeGreaterThan(256);
    expect(engine.results[0].decode.map((d: { batch: number }) => d.batch)).toEqual([1, 2]);
  });
});
