import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { WebhookEnvelope, WebhookEvent } from '@dg/contracts';
import { OPTIONS } from '../infrastructure/tokens';
import type { CaseApiOptions } from '../options';
import { backoffMs, signatureHeader } from './signature';
import { WebhookRepository, type ClaimedDelivery } from './webhook.repository';

/**
 * Sends the outbox. Polls for due deliveries (and follow-ups that came due); `kick()` runs a pass at
 * once, which is how urgent findings go out without waiting for the poll. A failed attempt is retried
 * with exponential backoff; after the last attempt the delivery is dead-lettered, and both stay in
 * the delivery log.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly webhooks: WebhookRepository,
    @Inject(OPTIONS) private readonly options: CaseApiOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.options.webhookPollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs a pass now, or right after the one in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'webhook pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async pass(): Promise<void> {
    await this.webhooks.queueDueFollowUps(new Date());
    const lease = this.options.webhookTimeoutMs * 2;
    for (;;) {
      const batch = await this.webhooks.claimDue(20, lease);
      if (!batch.length) return;
      await Promise.all(batch.map((d) => this.send(d)));
      if (this.stopped) return;
    }
  }

  private async send(d: ClaimedDelivery): Promise<void> {
    const now = new Date();
    const envelope: WebhookEnvelope = {
      id: d.id,
      event: d.event as WebhookEvent,
      createdAt: d.createdAt.toISOString(),
      data: d.payload as Record<string, unknown>,
    };
    const body = JSON.stringify(envelope);
    const sub = d.subscription;
    const secrets = [sub.secret];
    if (sub.previousSecret && sub.previousExpiresAt && sub.previousExpiresAt > now) secrets.push(sub.previousSecret);
    const attempt = d.attempts + 1;
    let status: number | null = null;
    let error: string;
    try {
      const res = await fetch(sub.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'DentalGemma-Webhooks/1',
          'webhook-id': d.id,
          'webhook-event': d.event,
          'webhook-signature': signatureHeader(body, secrets, now),
        },
        body,
        signal: AbortSignal.timeout(this.options.webhookTimeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel();
      status = res.status;
      if (res.status >= 200 && res.status < 300) return this.webhooks.delivered(d.id, res.status, new Date());
      error = `receiver answered ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    const { webhookMaxAttempts, webhookBackoffMs, webhookMaxDelayMs } = this.options;
    const next =
      attempt >= webhookMaxAttempts || !sub.active
        ? null
        : new Date(Date.now() + backoffMs(attempt, webhookBackoffMs, webhookMaxDelayMs));
    await this.webhooks.failed(d.id, attempt, error, status, next);
  }
}
