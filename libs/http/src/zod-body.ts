import { HttpStatus, PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ApiError } from './http-errors';

/** Issues as "path: message" pairs, the shape of ErrorBody.issues. */
export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}

/**
 * Validates a body, params or query against a contract schema; a mismatch is a 400 naming each bad
 * field. The schema is the single source of truth for the type the handler receives.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly what = 'request body',
  ) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const issues = zodIssues(result.error);
    throw new ApiError(
      HttpStatus.BAD_REQUEST,
      'validation_failed',
      `invalid ${this.what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
}
