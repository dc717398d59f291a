import { HttpStatus, Injectable } from '@nestjs/common';
import type { AssessmentView, SubmitReviewRequest, TenantAccess } from '@dg/contracts';
import { ApiError, notFound } from '@dg/http';
import { requireIfMatch } from '../common/etag';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service';
import { ReviewRepository, UnknownFindingError, VersionConflictError } from './review.repository';

/**
 * A clinician's review of an assessment and its findings. On a signed assessment the review is an
 * amendment: the signed review stays in the history unchanged, and the assessment goes back to
 * `reviewed` until it is signed again.
 */
@Injectable()
export class SubmitReviewService {
  constructor(
    private readonly reviews: ReviewRepository,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async submit(
    access: TenantAccess,
    id: string,
    ifMatch: string | undefined,
    req: SubmitReviewRequest,
  ): Promise<AssessmentView> {
    const current = await this.reviews.current(access, id);
    if (!current) throw notFound('assessment', id);
    if (current.status !== 'completed') {
      throw new ApiError(HttpStatus.CONFLICT, 'assessment_not_completed', `assessment ${id} has no result to review`);
    }
    const version = requireIfMatch(ifMatch, current.version);
    try {
      const { assessment, urgent } = await this.reviews.submit(
        access,
        id,
        version,
        req,
        current.reviewState === 'signed',
      );
      if (urgent) this.dispatcher.kick();
      return assessment;
    } catch (error) {
      throw translate(error);
    }
  }
}

export function translate(error: unknown): unknown {
  if (error instanceof VersionConflictError) {
    return new ApiError(HttpStatus.PRECONDITION_FAILED, 'etag_mismatch', 'the assessment changed meanwhile; reload');
  }
  if (error instanceof UnknownFindingError) {
    return new ApiError(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'finding_not_in_assessment',
      `finding ${error.message} is not part of this assessment`,
    );
  }
  return error;
}
