import { HttpException, HttpStatus } from '@nestjs/common';
import type { ErrorBody } from '@dg/contracts';

/** An error with a stable machine-readable code; the filter turns it into the JSON error body. */
export class ApiError extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    message: string,
    readonly issues?: ErrorBody['issues'],
  ) {
    super({ statusCode: status, code, message, issues } satisfies ErrorBody, status);
  }
}

export const notFound = (what: string, id: string) =>
  new ApiError(HttpStatus.NOT_FOUND, `${what}_not_found`, `${what} ${id} not found`);
