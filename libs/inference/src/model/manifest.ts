import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256File } from './model-files';

/** `manifest.json` of a model folder (tools/model writes it for the tiny model and the export). */
export const ModelManifestSchema = z.object({
  model_id: z.string(),
  revision: z.string().optional(),
  tiny: z.boolean().optional(),
  files: z.array(
    z.object({
      path: z.string().regex(/^[\w.\-/]+$/),
      bytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});
export type ModelManifest = z.infer<typeof ModelManifestSchema>;

export class ManifestMismatchError extends Error {
  override readonly name = 'ManifestMismatchError';
}

export async function readManifest(dir: string): Promise<ModelManifest | undefined> {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return undefined;
  return ModelManifestSchema.parse(JSON.parse(await readFile(path, 'utf8')));
}

/**
 * Checks every file the manifest lists: present, of the listed size, with the listed SHA-256.
 * Sizes first, so a truncated 8 GB download is refused in milliseconds, not after hashing it.
 * Returns the hashes it computed, so the weights digest need not read the files again.
 */
export async function verifyManifest(dir: string, manifest: ModelManifest): Promise<Map<string, string>> {
  const problems: string[] = [];
  for (const f of manifest.files) {
    const size = await stat(join(dir, f.path)).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) problems.push(`${f.path} is missing`);
    else if (size !== f.bytes) problems.push(`${f.path} has ${size} bytes, manifest says ${f.bytes}`);
  }
  const hashes = new Map<string, string>();
  if (!problems.length) {
    for (const f of manifest.files) {
      const actual = await sha256File(join(dir, f.path));
      hashes.set(f.path, actual);
      if (actual !== f.sha256) problems.push(`${f.path} has sha256 ${actual}, manifest says ${f.sha256}`);
    }
  }
  if (problems.length)
    throw new ManifestMismatchError(`model folder ${dir} does not match its manifest: ${problems.join('; ')}`);
  return hashes;
}
