/**
 * Case-api settings that are not environment (libs/config owns the env schema): defaults suit
 * production; tests shorten the webhook timings and lower the rate limit to see them act.
 */
export interface CaseApiOptions {
  /** How often the webhook dispatcher looks for due deliveries and due follow-ups. */
  webhookPollMs: number;
  /** First retry delay; each further attempt doubles it (capped at webhookMaxDelayMs). */
  webhookBackoffMs: number;
  webhookMaxDelayMs: number;
  /** Attempts before a delivery is dead-lettered. */
  webhookMaxAttempts: number;
  webhookTimeoutMs: number;
  /** Requests per API key per window. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** How long a verified key is trusted without re-verifying (revocation on other replicas). */
  apiKeyCacheTtlMs: number;
}

export const DEFAULT_OPTIONS: CaseApiOptions = {
  webhookPollMs: 1000,
  webhookBackoffMs: 5000,
  webhookMaxDelayMs: 3_600_000,
  webhookMaxAttempts: 10,
  webhookTimeoutMs: 10_000,
  rateLimitMax: 1200,
  rateLimitWindowMs: 60_000,
  apiKeyCacheTtlMs: 10_000,
};
