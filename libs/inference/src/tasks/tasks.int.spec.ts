import { TASK_NAMES } from '@dg/contracts';
import { testEnv } from '@dg/testing';
import { OnnxDentalGemmaEngine } from '../engine/onnx-engine';
import type { ChatPrompt } from '../engine/engine.port';
import { mergeScores } from './shared/merge-scores';
import { SYSTEM_PROMPT, type TaskOutput } from './task-definition';
import { taskDefinition } from './catalogue';

const image = new Float32Array(3 * 896 * 896).map((_, i) => Math.sin(i / 311) * 0.9);

/**
 * Every task on the tiny model through the real engine: prompt, generation, parse, and candidate
 * scoring merged in. The tiny model speaks word salad, so what is checked is the contract: a valid
 * output that keeps the text, or one marked for review, never a crash.
 */
describe('every task on the tiny model', () => {
  let engine: OnnxDentalGemmaEngine;

  beforeAll(async () => {
    engine = await OnnxDentalGemmaEngine.load({
      dir: testEnv().TINY_MODEL_DIR,
      modelId: 'tiny',
      variant: '',
      session: { providers: ['cpu'], intraOpThreads: 1, graphOptimizationLevel: 'all', enableCpuMemArena: true },
    });
  });
  afterAll(() => engine.dispose());

  it.each(TASK_NAMES.map((n) => [n]))('%s', async (name) => {
    const task = taskDefinition(name);
    const pixelValues = task.needsImage ? image : undefined;
    const prompt: ChatPrompt = {
      system: SYSTEM_PROMPT,
      user: task.buildPrompt({ caseText: { age: 40, chiefComplaint: 'Pain in the lower right molar' } }),
      pixelValues,
    };
    const generation = await engine.generate(prompt, { maxNewTokens: 16 });
    let output: TaskOutput = task.parse(generation.text, {
      stopReason: generation.stats.stopReason,
      assessmentDate: '2026-11-28',
    });
    for (const spec of task.scoring ?? []) {
      const scores = await engine.scoreCandidates(
        { system: SYSTEM_PROMPT, user: spec.question, pixelValues },
        spec.candidates.map((c) => c.text),
      );
      output = mergeScores(output, spec, scores);
      const distribution = (output['scores'] as Record<string, { probability: number }[]>)[spec.field]!;
      expect(distribution).toHaveLength(spec.candidates.length);
      expect(distribution.reduce((a, d) => a + d.probability, 0)).toBeCloseTo(1, 5);
    }
    expect(task.outputSchema!.safeParse(output).error).toBeUndefined();
    expect(output['text']).toBe(generation.text);
    if (output.parseStatus !== 'parsed') expect(output['needsReview']).toBe(true);
  });
});
