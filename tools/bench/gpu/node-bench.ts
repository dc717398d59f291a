/**
 * The engine's half of the GPU benchmark: TTFT with an image, and decode tokens/s at several batch
 * sizes, for each execution provider asked for. Runs the engine's own batched greedy loop
 * (libs/inference generateBatch) on pre-tokenized prompts, so it needs no tokenizer on the GPU
 * machine. Imports are relative on purpose: pack.ts compiles these files into a self-contained
 * folder that travels to a machine without Node.js or internet.
 */
import { writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { generateBatch, type PreparedRow } from '../../../libs/inference/src/engine/batch-generation';
import { openSession, type ProviderName } from '../../../libs/inference/src/engine/execution-providers';
import type { ModelSessions } from '../../../libs/inference/src/engine/sessions';
import { readModelConfig } from '../../../libs/inference/src/model/model-config';
import { graphPath } from '../../../libs/inference/src/model/model-files';

interface Args {
  model: string;
  variant: string;
  providers: ProviderName[];
  batches: number[];
  tokens: number;
  prompts: string;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, fallback?: string) => {
    const i = argv.indexOf(`--${name}`);
    const v = i >= 0 ? argv[i + 1] : fallback;
    if (v === undefined) throw new Error(`--${name} is required`);
    return v;
  };
  return {
    model: get('model'),
    variant: get('variant', ''),
    providers: get('providers', 'cpu').split(',') as ProviderName[],
    batches: get('batches', '1,4,16').split(',').map(Number),
    tokens: Number(get('tokens', '128')),
    prompts: get('prompts'),
    out: get('out'),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function benchProvider(args: Args, provider: ProviderName, prompts: { text: number[]; image: number[] }) {
  const config = await readModelConfig(args.model);
  const log = (m: string) => console.log(`  ${m}`);
  const settings = {
    providers: [provider],
    intraOpThreads: 0,
    graphOptimizationLevel: 'all' as const,
    enableCpuMemArena: true,
    deviceCache: true,
  };
  const presents = Array.from({ length: config.numLayers }, (_, i) => [
    `present.${i}.key`,
    `present.${i}.value`,
  ]).flat();
  const t0 = performance.now();
  const [vision, embed, decoder] = await Promise.all([
    openSession(graphPath(args.model, 'vision_encoder', args.variant), settings, log),
    openSession(graphPath(args.model, 'embed_tokens', args.variant), settings, log),
    openSession(graphPath(args.model, 'decoder_model_merged', args.variant), settings, log, presents),
  ]);
  const loadS = (performance.now() - t0) / 1000;
  const s: ModelSessions = { vision: vision.session, embed: embed.session, decoder: decoder.session, config };
  const size = config.imageSize;
  const pixels = new Float32Array(3 * size * size).map((_, i) => Math.sin(i / 977));
  const row = (ids: number[], maxNewTokens: number, image = false): PreparedRow => ({
    ids,
    pixelValues: image ? pixels : undefined,
    maxNewTokens,
    stopTokenIds: new Set(), // no early stop: every row does exactly the steps asked for
  });

  await generateBatch(s, [row(prompts.text, 4)]); // warm-up: kernels, arenas
  const ttft: number[] = [];
  for (let i = 0; i < 3; i++) ttft.push((await generateBatch(s, [row(prompts.image, 1, true)]))[0]!.timeToFirstTokenMs);

  const decode: { batch: number; tokensPerSecond: number; perRowTokensPerSecond: number; ttftMs: number }[] = [];
  for (const b of args.batches) {
    const outcomes = await generateBatch(
      s,
      Array.from({ length: b }, () => row(prompts.text, args.tokens)),
    );
    const o = outcomes[0]!;
    const decodeS = (o.totalMs - o.timeToFirstTokenMs) / 1000;
    const perRow = (args.tokens - 1) / decodeS;
    decode.push({ batch: b, tokensPerSecond: perRow * b, perRowTokensPerSecond: perRow, ttftMs: o.timeToFirstTokenMs });
    console.log(`  ${provider} batch ${b}: ${(perRow * b).toFixed(1)} tokens/s (${perRow.toFixed(1)} per sequence)`);
  }
  await Promise.all([vision.session.release(), embed.session.release(), decoder.session.release()]);
  return {
    provider: decoder.provider,
    loadSeconds: loadS,
    imageTtftMs: median(ttft),
    imagePromptTokens: prompts.image.length,
    decode,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const prompts = JSON.parse(readFileSync(args.prompts, 'utf8')) as { text: number[]; image: number[] };
  const results: unknown[] = [];
  for (const provider of args.providers) {
    console.log(`engine on ${provider}:`);
    try {
      results.push(await benchProvider(args, provider, prompts));
    } catch (error) {
      const message = (error as Error).message.split('\n')[0];
      console.log(`  ${provider} unavailable: ${message}`);
      results.push({ provider, error: message });
    }
  }
  writeFileSync(args.out, JSON.stringify({ tokens: args.tokens, results }, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
