import { HttpStatus } from '@nestjs/common';
import { ApiError } from '@dg/http';

export const etagOf = (version: number) => `"${version}"`;

/**
 * Optimistic concurrency for reviews: the client sends back the ETag it read. No If-Match is a 428
 * (a client that never read cannot overwrite blindly); a stale one is a 412.
 */
export function requireIfMatch(ifMatch: string | undefined, currentVersion: number): number {
  if (!ifMatch) {
    throw new ApiError(
      HttpStatus.PRECONDITION_REQUIRED,
      'if_match_required',
      'send If-Match with the ETag of the assessment you reviewed',
    );
  }
  const sent = ifMatch.trim().replace(/^W\//, '');
  if (sent !== etagOf(currentVersion)) {
    throw new ApiError(
      HttpStatus.PRECONDITION_FAILED,
      'etag_mismatch',
      `the assessment changed since you read it (now ${etagOf(currentVersion)}); reload and review again`,
    );
  }
  return currentVersion;
}
