import { Controller, Get, HttpStatus, Inject, Query } from '@nestjs/common';
import { LaneSchema } from '@dg/contracts';
import { ApiError } from '@dg/http';
import { LaneBacklog } from './backlog';

export const LANE_BACKLOG = Symbol('LANE_BACKLOG');

/**
 * KEDA's metrics-api scaler endpoint: `GET /scale/backlog?lane=batch` answers `{ "backlog": n }`
 * (valueLocation: backlog). It lives on the API, not the worker, so it answers while workers are
 * scaled to zero.
 */
@Controller('scale')
export class ScaleController {
  constructor(@Inject(LANE_BACKLOG) private readonly backlog: LaneBacklog) {}

  @Get('backlog')
  async get(
    @Query('lane') lane?: string,
  ): Promise<{ lane: string; backlog: number } | { backlog: number; lanes: Record<string, number> }> {
    if (lane === undefined) {
      const lanes = await this.backlog.all();
      return { backlog: Object.values(lanes).reduce((a, b) => a + b, 0), lanes };
    }
    const parsed = LaneSchema.safeParse(lane);
    if (!parsed.success)
      throw new ApiError(HttpStatus.BAD_REQUEST, 'unknown_lane', `lane must be one of interactive, batch`);
    return { lane: parsed.data, backlog: await this.backlog.of(parsed.data) };
  }
}
