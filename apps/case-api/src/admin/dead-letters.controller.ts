import { Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import type { DeadLetterView, TenantAccess } from '@dg/contracts';
import { Access, notFound, RequireScope } from '@dg/http';
import { DeadLetterQueue, type InferenceLanes } from '@dg/queue';
import { AssessmentRepository } from '../assessments/assessment.repository';
import { DEAD_LETTERS, INFERENCE_LANES } from '../infrastructure/tokens';

/**
 * Jobs that used up their attempts, for an organization's admin: list, inspect, retry (a fresh
 * job in the original lane; the assessment goes back to queued) or discard. Only the caller's own
 * organization's jobs are visible: another tenant's id is a 404.
 */
@Controller('v1/admin/dead-letters')
@RequireScope('admin')
export class DeadLettersController {
  constructor(
    @Inject(DEAD_LETTERS) private readonly dead: DeadLetterQueue,
    @Inject(INFERENCE_LANES) private readonly lanes: InferenceLanes,
    private readonly assessments: AssessmentRepository,
  ) {}

  @Get()
  async list(@Access() access: TenantAccess): Promise<{ items: DeadLetterView[] }> {
    return { items: await this.dead.list(1000, (d) => d.job.tenantId === access.tenant) };
  }

  @Get(':id')
  async get(@Access() access: TenantAccess, @Param('id') id: string): Promise<DeadLetterView> {
    return this.own(access, id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  async retry(@Access() access: TenantAccess, @Param('id') id: string): Promise<{ requeued: string }> {
    const dead = await this.own(access, id);
    await this.dead.retry(id, async (lane, job, jobId) => {
      await this.assessments.requeue(access.tenant, job.assessmentId);
      await this.lanes.add(lane, job, { jobId });
    });
    return { requeued: dead.job.assessmentId };
  }

  @Delete(':id')
  async discard(@Access() access: TenantAccess, @Param('id') id: string): Promise<{ discarded: string }> {
    await this.own(access, id);
    await this.dead.discard(id);
    return { discarded: id };
  }

  private async own(access: TenantAccess, id: string): Promise<DeadLetterView> {
    const dead = await this.dead.get(id);
    if (!dead || dead.job.tenantId !== access.tenant) throw notFound('dead letter', id);
    return dead;
  }
}
