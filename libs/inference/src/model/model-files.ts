import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export const GRAPHS = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'] as const;
export type GraphName = (typeof GRAPHS)[number];

/** `onnx/{graph}{variant}.onnx`, variant '' (fp32), '_fp16', '_q4', ... (MODEL.md). */
export function graphPath(dir: string, graph: GraphName, variant: string): string {
  return join(dir, 'onnx', `${graph}${variant}.onnx`);
}

/** The files the engine loads for a variant: its three graphs and their external-data files. */
export async function weightFiles(dir: string, variant: string): Promise<string[]> {
  const names = await readdir(join(dir, 'onnx'));
  const wanted = GRAPHS.map((g) => `${g}${variant}.onnx`);
  const missing = wanted.filter((w) => !names.includes(w));
  if (missing.length) throw new Error(`model folder ${dir} lacks ${missing.map((m) => `onnx/${m}`).join(', ')}`);
  const data = names.filter((n) => wanted.some((w) => n.startsWith(`${w}_data`)));
  return [...wanted, ...data].sort().map((n) => `onnx/${n}`);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * One digest for the weights: SHA-256 over the sorted lines "<sha256>  <relative path>" of every
 * file loaded (the `sha256sum` format, so an operator can recompute it with coreutils).
 */
export async function weightsDigest(dir: string, files: string[], known = new Map<string, string>()): Promise<string> {
  const lines: string[] = [];
  for (const file of [...files].sort())
    lines.push(`${known.get(file) ?? (await sha256File(join(dir, file)))}  ${file}\n`);
  return `sha256:${createHash('sha256').update(lines.join('')).digest('hex')}`;
}
