import sharp from 'sharp';

/** A synthetic grey panoramic (2:1) whose pattern depends on the seed, as a PNG. */
export async function panoramicPng(seed: number, width = 1400, height = 700): Promise<Buffer> {
  const data = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = 128 + 100 * Math.sin((x * (seed + 1)) / 97 + (y * (seed + 3)) / 61) * Math.cos((x + y * seed) / 173);
      data[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return sharp(data, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

/** A synthetic colour intraoral photo, as a JPEG with EXIF (to prove derivatives drop it). */
export async function photoJpeg(seed: number): Promise<Buffer> {
  const width = 800;
  const height = 600;
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    data[3 * i] = (200 + 50 * Math.sin((x + seed * 31) / 40)) & 255;
    data[3 * i + 1] = (120 + 80 * Math.cos((y + seed * 17) / 25)) & 255;
    data[3 * i + 2] = (90 + 60 * Math.sin((x + y) / (30 + seed))) & 255;
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .withMetadata({ exif: { IFD0: { Artist: 'Patient Jane Doe' } } })
    .toBuffer();
}

/** A small distinct grey PNG per seed (archives of hundreds of them stay quick to build and ingest). */
export async function smallPng(seed: number, width = 64, height = 32): Promise<Buffer> {
  const data = Buffer.alloc(width * height);
  let x = (seed + 1) * 2654435761;
  for (let i = 0; i < data.length; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    data[i] = x & 255;
  }
  return sharp(data, { raw: { width, height, channels: 1 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}
