import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '@dg/storage';
import { testEnv, uniqueName } from '@dg/testing';
import { OnnxDentalGemmaEngine } from '../engine/onnx-engine';
import { ManifestMismatchError } from './manifest';
import { resolveModelDir } from './model-source';

const settings = {
  providers: ['cpu' as const],
  intraOpThreads: 1,
  graphOptimizationLevel: 'all' as const,
  enableCpuMemArena: true,
};

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe('model artifacts: local folder or S3 prefix, verified against the manifest', () => {
  const env = testEnv();
  const bucket = uniqueName('models').toLowerCase();
  const open = (b: string) =>
    new S3ObjectStore({
      bucket: b,
      region: 'us-east-1',
      endpoint: env.S3_ENDPOINT,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: true,
    });

  beforeAll(async () => {
    const store = open(bucket);
    await store.client.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const f of await filesUnder(env.TINY_MODEL_DIR)) {
      await store.put(`dentalgemma/v1/${f}`, await readFile(join(env.TINY_MODEL_DIR, f)));
    }
  });

  it('downloads an S3 model once into the cache and loads it with the same digest', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'dg-model-cache-'));
    const gets: string[] = [];
    const counting = (b: string) => {
      const s = open(b);
      return { get: (k: string) => (gets.push(k), s.get(k)), getStream: (k: string) => (gets.push(k), s.getStream(k)) };
    };
    const dir = await resolveModelDir(`s3://${bucket}/dentalgemma/v1/`, { cacheDir, openBucket: counting });
    const firstRound = gets.length;
    expect(firstRound).toBeGreaterThan(5);
    expect(await resolveModelDir(`s3://${bucket}/dentalgemma/v1`, { cacheDir, openBucket: counting })).toBe(dir);
    expect(gets.length).toBe(firstRound + 1); // only the manifest, to learn the version

    const [fromS3, local] = await Promise.all([
      OnnxDentalGemmaEngine.load({ dir, modelId: 't', variant: '', session: settings }),
      OnnxDentalGemmaEngine.load({ dir: env.TINY_MODEL_DIR, modelId: 't', variant: '', session: settings }),
    ]);
    expect(fromS3.info.weightsDigest).toBe(local.info.weightsDigest);
    await Promise.all([fromS3.dispose(), local.dispose()]);
  });

  it('refuses an S3 model whose bytes differ from its manifest, and caches nothing', async () => {
    const store = open(bucket);
    const decoder = await readFile(join(env.TINY_MODEL_DIR, 'onnx/decoder_model_merged.onnx'));
    const tampered = Buffer.from(decoder);
    tampered[tampered.length - 10] ^= 0xff;
    for (const f of await filesUnder(env.TINY_MODEL_DIR)) {
      await store.put(
        `tampered/${f}`,
        f.endsWith('decoder_model_merged.onnx') ? tampered : await readFile(join(env.TINY_MODEL_DIR, f)),
      );
    }
    const cacheDir = await mkdtemp(join(tmpdir(), 'dg-model-cache-'));
    await expect(resolveModelDir(`s3://${bucket}/tampered`, { cacheDir, openBucket: open })).rejects.toBeInstanceOf(
      ManifestMismatchError,
    );
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('refuses a local folder whose files do not match its manifest', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'dg-model-copy-'));
    await cp(env.TINY_MODEL_DIR, copy, { recursive: true });
    await writeFile(join(copy, 'onnx/embed_tokens.onnx'), Buffer.from('not the graph'));
    await expect(
      OnnxDentalGemmaEngine.load({ dir: copy, modelId: 't', variant: '', session: settings }),
    ).rejects.toThrow(/embed_tokens.onnx has 13 bytes/);
  });
});
