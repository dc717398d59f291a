/**
 * npm run bench:engine — the engine against a bare onnxruntime-node loop on the same tiny model, in
 * the same run, and the decode-step cost deep into the cache against near its start. Prints ratios;
 * asserts nothing (timings belong to benchmarks, not tests).
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { OnnxDentalGemmaEngine, SYSTEM_PROMPT } from '@dg/inference';
import { generateTinyModel } from '../../model/src/generate-tiny-model';
import { bareGreedy, decodeStepMs } from './bare-loop';

const NEW_TOKENS = 64;
const ROUNDS = 12;
const settings = {
  providers: ['cpu' as const],
  intraOpThreads: 0,
  graphOptimizationLevel: 'all' as const,
  enableCpuMemArena: true,
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

async function main(): Promise<void> {
  let dir = join(__dirname, '..', '..', '..', 'models', 'tiny-dentalgemma');
  if (!existsSync(join(dir, 'manifest.json'))) {
    dir = await mkdtemp(join(tmpdir(), 'dg-bench-model-'));
    await generateTinyModel(dir);
  }
  const engine = await OnnxDentalGemmaEngine.load({ dir, modelId: 'tiny', variant: '', session: settings });
  const prompt = {
    system: SYSTEM_PROMPT,
    user: 'A 35-year-old male presents with throbbing pain in the lower right molar. What is your assessment?',
  };

  // Memory first, before the baseline's own sessions and caches share the process.
  console.log(`rss after load: ${mb(process.memoryUsage().rss)}`);
  for (let round = 1; round <= 3; round++) {
    for (let i = 0; i < 100; i++) await engine.generate(prompt, { maxNewTokens: 8 });
    console.log(`rss after ${round * 100} requests: ${mb(process.memoryUsage().rss)}`);
  }

  const sessions = {
    embed: await ort.InferenceSession.create(join(dir, 'onnx/embed_tokens.onnx'), { graphOptimizationLevel: 'all' }),
    decoder: await ort.InferenceSession.create(join(dir, 'onnx/decoder_model_merged.onnx'), {
      graphOptimizationLevel: 'all',
    }),
  };
  const ids = engine.tokenize(prompt);
  // No stop tokens: both sides must do exactly NEW_TOKENS steps.
  const opts = { maxNewTokens: NEW_TOKENS, stopTokenIds: [] };

  const warm = await engine.generate(prompt, opts);
  const bare = await bareGreedy(sessions, engine.config, ids, NEW_TOKENS);
  if (bare.join() !== warm.tokenIds.join())
    throw new Error('engine and bare loop disagree: the comparison would be meaningless');

  const engineMs: number[] = [];
  const bareMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved, so drift in the machine's speed hits both sides alike.
    let t = performance.now();
    await engine.generate(prompt, opts);
    engineMs.push(performance.now() - t);
    t = performance.now();
    await bareGreedy(sessions, engine.config, ids, NEW_TOKENS);
    bareMs.push(performance.now() - t);
  }
  const ratio = median(engineMs) / median(bareMs);
  console.log(`prompt ${ids.length} tokens, ${NEW_TOKENS} new tokens, ${ROUNDS} rounds`);
  console.log(
    `engine: median ${median(engineMs).toFixed(1)} ms; bare session.run loop: median ${median(bareMs).toFixed(1)} ms`,
  );

  const at16 = await decodeStepMs(sessions, engine.config, 16, 200);
  const at512 = await decodeStepMs(sessions, engine.config, 512, 200);
  console.log(`decode step: ${at16.toFixed(3)} ms at position 16, ${at512.toFixed(3)} ms at position 512`);
  console.log(`decode-step cost 512/16: ${(at512 / at16).toFixed(2)} (target <= 1.5)`);

  await engine.dispose();
  console.log(`engine: ${ratio.toFixed(3)} (target <= 1.10)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
