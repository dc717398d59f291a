import { UnrecoverableError } from 'bullmq';

/**
 * A failure that will not succeed on retry (an unreadable image, a payload that does not match the
 * contract). BullMQ moves such a job to failed at once instead of spending its attempts.
 */
export class PermanentJobError extends UnrecoverableError {
  override readonly name = 'PermanentJobError';
}
