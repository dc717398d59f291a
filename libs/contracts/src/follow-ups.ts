import { z } from 'zod';
import { UrgencySchema } from './findings';
import { IdSchema } from './ids';

export const FOLLOW_UP_STATUSES = ['open', 'booked', 'done', 'cancelled'] as const;
export const FollowUpStatusSchema = z.enum(FOLLOW_UP_STATUSES);
export type FollowUpStatus = z.infer<typeof FollowUpStatusSchema>;

export const FollowUpViewSchema = z.object({
  id: IdSchema,
  caseId: IdSchema,
  clinicId: IdSchema.nullable(),
  assessmentId: IdSchema,
  findingId: IdSchema.nullable(),
  ruleKey: z.string(),
  reason: z.string(),
  urgency: UrgencySchema,
  dueAt: z.iso.datetime(),
  status: FollowUpStatusSchema,
  overdue: z.boolean(),
});
export type FollowUpView = z.infer<typeof FollowUpViewSchema>;

export const UpdateFollowUpRequestSchema = z.object({ status: FollowUpStatusSchema }).strict();
export type UpdateFollowUpRequest = z.infer<typeof UpdateFollowUpRequestSchema>;

const bool = z.enum(['true', 'false']).transform((s) => s === 'true');

/** The clinic's worklist: open and booked follow-ups, most urgent first, then by due date. */
export const WorklistQuerySchema = z
  .object({
    dueBefore: z.iso.datetime().optional(),
    overdue: bool.optional(),
    urgency: UrgencySchema.optional(),
    cursor: z.string().max(512).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type WorklistQuery = z.infer<typeof WorklistQuerySchema>;

/**
 * `GET /v1/follow-ups`: the organization's worklist, across clinics, including cases filed under no
 * clinic (an archive import without one, a PMS that sends none). `clinicId` narrows it to one
 * clinic, or `none` to those without. A clinic-restricted key sees its clinic's only.
 */
export const OrganizationWorklistQuerySchema = WorklistQuerySchema.extend({
  clinicId: z.union([z.uuid(), z.literal('none')]).optional(),
}).strict();
export type OrganizationWorklistQuery = z.infer<typeof OrganizationWorklistQuerySchema>;
