import sharp from 'sharp';

/** A synthetic panoramic-like photo: smooth structure plus sensor noise, so JPEG sizes are realistic. */
async function noisyRaw(width: number, height: number, seed: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  let s = seed * 2654435761;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const base = 128 + 90 * Math.sin((x * (seed + 2)) / 211 + y / 97) * Math.cos(y / 173);
      const i = 3 * (y * width + x);
      const n = (s >>> 24) - 128;
      data[i] = Math.max(0, Math.min(255, base + n / 3));
      data[i + 1] = Math.max(0, Math.min(255, base + n / 4));
      data[i + 2] = Math.max(0, Math.min(255, base + n / 5));
    }
  }
  return data;
}

/** Distinct JPEGs of about 2400x1200 (each a different image, so deduplication never kicks in). */
export async function throughputSet(count: number, firstSeed = 1): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const raw = await noisyRaw(2400, 1200, firstSeed + i);
    out.push(
      await sharp(raw, { raw: { width: 2400, height: 1200, channels: 3 } })
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
  }
  return out;
}

/**
 * `count` distinct files of about `bytes` each: one large noisy JPEG, made distinct by a JPEG
 * comment segment (COM, 0xFFFE) right after SOI, which decoders skip.
 */
export async function largeSet(count: number, bytes: number): Promise<Buffer[]> {
  let side = 2400;
  let jpeg = Buffer.alloc(0);
  for (let attempt = 0; attempt < 4; attempt++) {
    const w = Math.round(side * 1.33);
    jpeg = await sharp(await noisyRaw(w, side, 99), { raw: { width: w, height: side, channels: 3 } })
      .jpeg({ quality: 97, chromaSubsampling: '4:4:4' })
      .toBuffer();
    if (Math.abs(jpeg.length - bytes) < bytes * 0.05) break;
    side = Math.round(side * Math.sqrt(bytes / jpeg.length));
  }
  return Array.from({ length: count }, (_, i) => {
    const text = Buffer.from(`bench file ${i}`);
    const com = Buffer.from([0xff, 0xfe, 0, 0]);
    com.writeUInt16BE(text.length + 2, 2);
    return Buffer.concat([jpeg.subarray(0, 2), com, text, jpeg.subarray(2)]);
  });
}
