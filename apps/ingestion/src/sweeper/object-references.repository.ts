import { Inject, Injectable } from '@nestjs/common';
import type { PrismaClient } from '@dg/db';
import { PRISMA } from '../infrastructure/tokens';

/**
 * Which object keys some row still needs. Deliberately across tenants: content-addressed
 * derivatives are shared, so only "no row anywhere" makes an object an orphan.
 */
@Injectable()
export class ObjectReferencesRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async referenced(keys: string[], now: Date): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const [images, uploads] = await Promise.all([
      this.prisma.image.findMany({
        where: { OR: [{ originalKey: { in: keys } }, { normalizedKey: { in: keys } }, { thumbnailKey: { in: keys } }] },
        select: { originalKey: true, normalizedKey: true, thumbnailKey: true },
      }),
      // A pending upload's object is wanted until the URL expires.
      this.prisma.uploadSession.findMany({
        where: { objectKey: { in: keys }, status: 'pending', expiresAt: { gt: now } },
        select: { objectKey: true },
      }),
    ]);
    const out = new Set<string>();
    for (const i of images) for (const k of [i.originalKey, i.normalizedKey, i.thumbnailKey]) if (k) out.add(k);
    for (const u of uploads) out.add(u.objectKey);
    return out;
  }
}
