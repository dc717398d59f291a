import { z } from 'zod';
import { IdSchema } from './ids';

export const WEBHOOK_EVENTS = [
  'assessment.completed',
  /** The model could not produce an assessment (retries used up, or an input no retry can fix). */
  'assessment.failed',
  'assessment.reviewed',
  'finding.urgent',
  'followup.due',
] as const;
export const WebhookEventSchema = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

export const CreateWebhookRequestSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    events: z.array(WebhookEventSchema).min(1),
  })
  .strict();
export type CreateWebhookRequest = z.infer<typeof CreateWebhookRequestSchema>;

export const WebhookViewSchema = z.object({
  id: IdSchema,
  url: z.string(),
  events: z.array(WebhookEventSchema),
  active: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type WebhookView = z.infer<typeof WebhookViewSchema>;

/** Returned on create and rotate only: the signing secret is never shown again. */
export const WebhookWithSecretSchema = WebhookViewSchema.extend({ secret: z.string() });
export type WebhookWithSecret = z.infer<typeof WebhookWithSecretSchema>;

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;
export const DeliveryViewSchema = z.object({
  id: IdSchema,
  subscriptionId: IdSchema,
  event: WebhookEventSchema,
  eventKey: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: z.iso.datetime(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type DeliveryView = z.infer<typeof DeliveryViewSchema>;

export const DeliveryQuerySchema = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    event: WebhookEventSchema.optional(),
    cursor: z.string().max(512).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type DeliveryQuery = z.infer<typeof DeliveryQuerySchema>;

/**
 * `POST /v1/webhooks/:id/deliveries/redeliver`: dead deliveries sent again from the start of their
 * retry schedule, once the receiver is back (after an outage past the last retry). All of the
 * subscription's dead ones, or those listed, or those created since a moment.
 */
export const RedeliverRequestSchema = z
  .object({
    deliveryIds: z.array(IdSchema).min(1).max(1000).optional(),
    since: z.iso.datetime().optional(),
  })
  .strict();
export type RedeliverRequest = z.infer<typeof RedeliverRequestSchema>;
export const RedeliverResultSchema = z.object({ requeued: z.number().int() });
export type RedeliverResult = z.infer<typeof RedeliverResultSchema>;

/** The signed body: `webhook-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export const WebhookEnvelopeSchema = z.object({
  id: IdSchema,
  event: WebhookEventSchema,
  createdAt: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEnvelope = z.infer<typeof WebhookEnvelopeSchema>;
