import * as ort from 'onnxruntime-node';
import { testEnv } from '@dg/testing';
import { SYSTEM_PROMPT } from '../tasks';
import { generateWithoutCache } from './batch-generation';
import type { ChatPrompt } from './engine.port';
import { OnnxDentalGemmaEngine } from './onnx-engine';
import { emptyCache, int64Tensor, logProbAt } from './tensors';
import { embedIds, imageFeatures, mergeImageFeatures } from './sessions';

const settings = {
  providers: ['cpu' as const],
  intraOpThreads: 1,
  graphOptimizationLevel: 'all' as const,
  enableCpuMemArena: true,
};
const image = (seed: number) => new Float32Array(3 * 896 * 896).map((_, i) => Math.sin(i / (200 + seed * 37)) * 0.9);

const prompts: ChatPrompt[] = [
  { system: SYSTEM_PROMPT, user: 'What is your assessment?' },
  {
    system: SYSTEM_PROMPT,
    user: 'A 52-year-old female reports sensitivity to cold on the upper left side for two weeks. What is your assessment and management plan?',
  },
  { system: SYSTEM_PROMPT, user: 'Describe.', pixelValues: image(1) },
  { system: SYSTEM_PROMPT, user: 'Identify and localize any findings.', pixelValues: image(2) },
];

describe('engine correctness invariants on the tiny model', () => {
  let solo: OnnxDentalGemmaEngine;
  let batched: OnnxDentalGemmaEngine;
  const batchSizes: number[] = [];

  beforeAll(async () => {
    const dir = testEnv().TINY_MODEL_DIR;
    solo = await OnnxDentalGemmaEngine.load({ dir, modelId: 'tiny', variant: '', session: settings });
    batched = await OnnxDentalGemmaEngine.load({
      dir,
      modelId: 'tiny',
      variant: '',
      session: settings,
      batching: { maxBatchSize: 4, maxWaitMs: 200 },
      observer: { onBatch: (n) => batchSizes.push(n) },
    });
  });
  afterAll(async () => {
    await solo.dispose();
    await batched.dispose();
  });

  it.each([0, 2])('decodes with the KV cache exactly as recomputing the whole sequence (prompt %i)', async (i) => {
    // Each uncached step re-runs the whole prompt (~300 tokens with an image): keep the count small.
    const row = solo.prepare(prompts[i]!, { maxNewTokens: 6 });
    const cached = await solo.generate(prompts[i]!, { maxNewTokens: 6 });
    const reference = await generateWithoutCache(solo.modelSessions, row);
    expect(cached.tokenIds).toEqual(reference);
    expect(reference.length).toBeGreaterThan(0);
  });

  it('gives each request of a left-padded batch exactly the tokens it gets alone', async () => {
    const alone: Awaited<ReturnType<typeof solo.generate>>[] = [];
    for (const p of prompts) alone.push(await solo.generate(p, { maxNewTokens: 10 }));
    batchSizes.length = 0;
    const together = await Promise.all(prompts.map((p) => batched.generate(p, { maxNewTokens: 10 })));
    expect(batchSizes).toEqual([4]);
    together.forEach((g, i) => {
      expect(g.tokenIds).toEqual(alone[i]!.tokenIds);
      expect(g.stats.promptTokens).toBe(alone[i]!.stats.promptTokens);
    });
    // The batch really mixes lengths and images, or the check above would prove little.
    expect(new Set(together.map((g) => g.stats.promptTokens)).size).toBe(4);
  });

  it('keeps per-request limits inside a batch', async () => {
    const [a, b] = await Promise.all([
      batched.generate(prompts[0]!, { maxNewTokens: 3 }),
      batched.generate(prompts[1]!, { maxNewTokens: 9 }),
    ]);
    expect(a.tokenIds).toHaveLength(3);
    expect(b.tokenIds).toHaveLength(9);
  });

  it('fails a bad request alone and serves its batch-mates', async () => {
    const bad: ChatPrompt = { system: SYSTEM_PROMPT, user: 'tooth '.repeat(4000) };
    const expected = await solo.generate(prompts[1]!, { maxNewTokens: 6 });
    const settled = await Promise.allSettled([
      batched.generate(prompts[1]!, { maxNewTokens: 6 }),
      batched.generate(bad, { maxNewTokens: 6 }),
      batched.generate({ ...prompts[2]!, pixelValues: new Float32Array(10) }, { maxNewTokens: 6 }),
    ]);
    expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { tokenIds: expected.tokenIds } });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { name: 'PromptTooLongError' } });
    expect(settled[2]).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringMatching(/pixel values/) },
    });
  });

  it('scores candidates in one pass with the exact log-probabilities of a full recomputation', async () => {
    const prompt = prompts[2]!;
    const candidates = ['Healthy', 'Caries', 'Impacted teeth', 'BDC-BDR', 'Infection', 'Fractured teeth'];
    const scores = await solo.scoreCandidates(prompt, candidates);
    expect(scores.map((s) => s.candidate)).toEqual(candidates);
    expect(scores.reduce((a, s) => a + s.probability, 0)).toBeCloseTo(1, 10);
    expect(new Set(scores.map((s) => s.logProb.toFixed(6))).size).toBe(candidates.length);

    // Reference: the prompt and each candidate as one sequence, no cache, summed log-softmax.
    const s = solo.modelSessions;
    const H = s.config.hiddenSize;
    const promptIds = solo.tokenize(prompt);
    const features = await imageFeatures(s, [prompt.pixelValues!]);
    for (const score of scores.slice(0, 3)) {
      const seq = [...promptIds, ...score.tokenIds];
      const embeds = await embedIds(s, seq, 1);
      mergeImageFeatures(s.config, embeds, seq, features);
      const out = await s.decoder.run({
        inputs_embeds: new ort.Tensor('float32', embeds, [1, seq.length, H]),
        attention_mask: int64Tensor(new Array(seq.length).fill(1), [1, seq.length]),
        position_ids: int64Tensor(
          seq.map((_, i) => i),
          [1, seq.length],
        ),
        ...emptyCache(s.config, 1),
      });
      const lp = score.tokenIds.reduce(
        (sum, id, k) => sum + logProbAt(out['logits'] as ort.Tensor, 0, promptIds.length - 1 + k, id),
        0,
      );
      expect(score.logProb).toBeCloseTo(lp, 3);
    }
  });

  it('scores a candidate the same alone as among others, and refuses an empty list', async () => {
    const prompt = prompts[0]!;
    const many = await solo.scoreCandidates(prompt, ['cavity', 'normal', 'severe cavity']);
    const one = await solo.scoreCandidates(prompt, ['normal']);
    expect(one[0]!.logProb).toBeCloseTo(many[1]!.logProb, 4);
    expect(one[0]!.probability).toBe(1);
    await expect(solo.scoreCandidates(prompt, [])).rejects.toThrow(/no candidates/);
  });
});
