import { HttpStatus, Injectable } from '@nestjs/common';
import type { AddFindingRequest, FindingView, TenantAccess } from '@dg/contracts';
import { ApiError, notFound } from '@dg/http';
import { requireIfMatch } from '../common/etag';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service';
import { ReviewRepository } from './review.repository';
import { translate } from './submit-review.service';

/** A finding the model missed, added by the clinician (accepted by its author). Not on signed assessments. */
@Injectable()
export class AddFindingService {
  constructor(
    private readonly reviews: ReviewRepository,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async add(
    access: TenantAccess,
    id: string,
    ifMatch: string | undefined,
    req: AddFindingRequest,
  ): Promise<{ finding: FindingView; version: number }> {
    const current = await this.reviews.current(access, id);
    if (!current) throw notFound('assessment', id);
    if (current.reviewState === 'signed') {
      throw new ApiError(
        HttpStatus.CONFLICT,
        'assessment_signed',
        `assessment ${id} is signed; amend it with a review`,
      );
    }
    if (current.status !== 'completed') {
      throw new ApiError(HttpStatus.CONFLICT, 'assessment_not_completed', `assessment ${id} has no result to review`);
    }
    const version = requireIfMatch(ifMatch, current.version);
    try {
      const { finding, assessment, urgent } = await this.reviews.addFinding(access, id, version, req);
      if (urgent) this.dispatcher.kick();
      return { finding, version: assessment.version };
    } catch (error) {
      throw translate(error);
    }
  }
}
