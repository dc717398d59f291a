/**
 * Where ingestion's objects live. Originals sit under a per-tenant prefix that only ingestion reads
 * (bucket policies can restrict `originals/` further); derivatives and thumbnails are
 * content-addressed, so identical derivatives are stored once. `incoming/` holds presigned uploads
 * until they are completed. The sweeper owns exactly these prefixes.
 */
export const objectKeys = {
  original: (tenant: string, sha256: string) => `originals/${tenant}/${sha256}`,
  derivative: (sha256: string) => `derivatives/${sha256}.png`,
  thumbnail: (sha256: string) => `thumbnails/${sha256}.jpg`,
  incoming: (tenant: string, uploadId: string) => `incoming/${tenant}/${uploadId}`,
};

export const OWNED_PREFIXES = ['originals/', 'derivatives/', 'thumbnails/', 'incoming/'] as const;
