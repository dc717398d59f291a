import { HttpStatus, Injectable } from '@nestjs/common';
import type { AssessmentView, TenantAccess } from '@dg/contracts';
import { ApiError, notFound } from '@dg/http';
import { requireIfMatch } from '../common/etag';
import { ReviewRepository } from './review.repository';
import { translate } from './submit-review.service';

/** reviewed -> signed. Only a reviewed assessment can be signed; after that, only amendments. */
@Injectable()
export class SignAssessmentService {
  constructor(private readonly reviews: ReviewRepository) {}

  async sign(
    access: TenantAccess,
    id: string,
    ifMatch: string | undefined,
    clinicianId: string,
  ): Promise<AssessmentView> {
    const current = await this.reviews.current(access, id);
    if (!current) throw notFound('assessment', id);
    if (current.reviewState === 'signed') {
      throw new ApiError(
        HttpStatus.CONFLICT,
        'assessment_signed',
        `assessment ${id} is signed; amend it with a review`,
      );
    }
    if (current.reviewState !== 'reviewed') {
      throw new ApiError(HttpStatus.CONFLICT, 'review_required', `assessment ${id} must be reviewed before signing`);
    }
    const version = requireIfMatch(ifMatch, current.version);
    try {
      return await this.reviews.sign(access, id, version, clinicianId);
    } catch (error) {
      throw translate(error);
    }
  }
}
