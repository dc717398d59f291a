// The tiny model must behave like the real one where an engine can tell: deterministic files, a KV
// cache that is exact and that matters, images that change the answer, padding that changes nothing,
// stop tokens that arrive by themselves, and a folder transformers.js loads offline.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  AutoProcessor,
  AutoTokenizer,
  Gemma3ForConditionalGeneration,
  RawImage,
  Tensor,
  env,
} from '@huggingface/transformers';
import sharp from 'sharp';
import { generateTinyModel } from './generate-tiny-model';
import { SPECIAL, TINY } from './tiny-config';
import {
  TinySessions,
  embedRow,
  expandImagePlaceholder,
  greedy,
  imageFeatures,
  loadSessions,
  syntheticPixels,
} from './testing/tiny-harness';

const SYSTEM = 'You are an expert dental clinician and radiologist AI assistant.';
const dirs: string[] = [];
let dir: string;
let files: string[];
let sessions: TinySessions;
let tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Chat prompt ids, as the engine builds them (the template already starts with <bos>). */
function promptIds(text: string, withImage = false): number[] {
  const messages = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: withImage ? [{ type: 'image' }, { type: 'text', text }] : text },
  ];
  let prompt = tokenizer.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true }) as string;
  if (withImage) prompt = expandImagePlaceholder(prompt);
  return tokenizer.encode(prompt, { add_special_tokens: false }) as number[];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tiny-dentalgemma-'));
  dirs.push(dir);
  ({ files } = await generateTinyModel(dir));
  env.allowRemoteModels = false;
  env.localModelPath = dirname(dir);
  tokenizer = await AutoTokenizer.from_pretrained(basename(dir));
  sessions = await loadSessions(dir);
}, 60_000);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('generateTinyModel', () => {
  it('writes the real layout, byte-for-byte the same every time', async () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'config.json',
        'generation_config.json',
        'preprocessor_config.json',
        'processor_config.json',
        'tokenizer.json',
        'tokenizer_config.json',
        'chat_template.jinja',
        'onnx/vision_encoder.onnx',
        'onnx/embed_tokens.onnx',
        'onnx/decoder_model_merged.onnx',
        'manifest.json',
      ]),
    );
    const again = mkdtempSync(join(tmpdir(), 'tiny-dentalgemma-'));
    dirs.push(again);
    const second = await generateTinyModel(again);
    expect(second.files).toEqual(files);
    for (const f of files) expect(`${f} ${sha256(join(again, f))}`).toBe(`${f} ${sha256(join(dir, f))}`);
    for (const f of files.filter((x) => x.endsWith('.onnx'))) {
      expect(readFileSync(join(dir, f)).length).toBeLessThan(256 * 1024);
    }
  }, 60_000);

  it('declares dims in config.json that match the graphs', () => {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.dentalgemma_tiny).toBe(true);
    expect(config.image_token_index).toBe(SPECIAL.image);
    const t = config.text_config;
    const { decoder } = sessions;
    expect(decoder.inputNames.filter((n) => n.startsWith('past_key_values.'))).toHaveLength(2 * t.num_hidden_layers);
    expect(decoder.outputNames).toContain('logits');
    expect(decoder.outputNames).toContain(`present.${t.num_hidden_layers - 1}.value`);
    expect(t.num_key_value_heads * t.head_dim).toBe(TINY.kvHeads * TINY.headDim);
    expect(t.vocab_size).toBe(262208);
  });

  it('decodes with the KV cache exactly as without it, and the cache matters', async () => {
    const row = await embedRow(sessions, promptIds('Is there caries on tooth 36?'));
    const cached = await greedy(sessions, [row], 24, 'cache');
    const recomputed = await greedy(sessions, [row], 24, 'no-cache');
    expect(cached.tokens).toEqual(recomputed.tokens);
    const zeroed = await greedy(sessions, [row], 24, 'zeroed-cache');
    const garbled = await greedy(sessions, [row], 24, 'garbled-cache');
    expect(zeroed.tokens[0]).not.toEqual(cached.tokens[0]);
    expect(garbled.tokens[0]).not.toEqual(cached.tokens[0]);
    // Generated text is made of words from the real tokenizer.
    expect(tokenizer.decode(cached.tokens[0])).toMatch(/^( [a-z]{3,}|[.,]){24}$/);
  }, 60_000);

  it('gives different answers for different images, and cached == uncached with an image', async () => {
    const ids = promptIds('Describe this radiograph.', true);
    expect(ids.filter((id) => id === SPECIAL.image)).toHaveLength(256);
    const dark = await imageFeatures(
      sessions,
      syntheticPixels(() => -0.9),
    );
    const bands = await imageFeatures(
      sessions,
      syntheticPixels((_c, y) => (Math.floor(y / 112) % 2 ? 0.8 : -0.6)),
    );
    const a = await greedy(sessions, [await embedRow(sessions, ids, dark)], 12);
    const b = await greedy(sessions, [await embedRow(sessions, ids, bands)], 12);
    expect(a.tokens[0]).not.toEqual(b.tokens[0]);
    const uncached = await greedy(sessions, [await embedRow(sessions, ids, dark)], 3, 'no-cache');
    expect(uncached.tokens[0]).toEqual(a.tokens[0].slice(0, 3));
  }, 60_000);

  it('gives each row of a left-padded batch exactly its tokens alone', async () => {
    const short = await embedRow(sessions, promptIds('hello'));
    const long = await embedRow(
      sessions,
      promptIds('Write a referral letter for a patient with an impacted wisdom tooth.'),
    );
    const batch = await greedy(sessions, [short, long], 20);
    const alone = [await greedy(sessions, [short], 20), await greedy(sessions, [long], 20)];
    expect(batch.tokens[0]).toEqual(alone[0].tokens[0]);
    expect(batch.tokens[1]).toEqual(alone[1].tokens[0]);
    expect(batch.tokens[0]).not.toEqual(batch.tokens[1]);
  }, 60_000);

  it('stops by itself with <end_of_turn> or <eos>, but not before ~20 tokens', async () => {
    const stops: number[] = [];
    for (const q of ['hello', 'Any restorations visible?', 'Describe this radiograph.']) {
      const { tokens } = await greedy(sessions, [await embedRow(sessions, promptIds(q))], 120);
      stops.push(tokens[0].findIndex((t) => t === SPECIAL.endOfTurn || t === SPECIAL.eos));
    }
    for (const s of stops) expect(s === -1 || s >= 20).toBe(true);
    expect(stops.some((s) => s >= 20)).toBe(true);
  }, 60_000);

  it('loads and generates offline with transformers.js (Gemma3ForConditionalGeneration)', async () => {
    const processor = await AutoProcessor.from_pretrained(basename(dir));
    const model = await Gemma3ForConditionalGeneration.from_pretrained(basename(dir), { dtype: 'fp32' });
    try {
      const answers: number[][] = [];
      for (const background of [
        { r: 0, g: 0, b: 0 },
        { r: 240, g: 240, b: 240 },
      ]) {
        const png = await sharp({ create: { width: 320, height: 240, channels: 3, background } })
          .png()
          .toBuffer();
        const image = await RawImage.fromBlob(new Blob([new Uint8Array(png)]));
        const messages = [
          { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Describe this radiograph.' }] },
        ];
        const prompt = processor.apply_chat_template(messages, { add_generation_prompt: true }) as string;
        const inputs = await processor(prompt, image);
        const out = (await model.generate({ ...inputs, max_new_tokens: 10, do_sample: false })) as Tensor;
        const promptLength = inputs.input_ids.dims[1];
        answers.push(Array.from(out.slice(null, [promptLength, null]).data as BigInt64Array, Number));
      }
      expect(answers[0]).toHaveLength(10);
      expect(answers[0]).not.toEqual(answers[1]);
    } finally {
      await model.dispose();
    }
  }, 60_000);
});
