import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import type { ImportView } from '@dg/contracts';
import type { Connection } from './args';

/** A 4xx or 5xx answer, with the server's error body (`{statusCode, code, message, issues?}`). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** The service could not be reached, or the connection broke. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

export interface Created {
  view: ImportView;
  /** The server already had an import with this Idempotency-Key and answered with it. */
  replayed: boolean;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

interface SendOptions {
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  signal?: AbortSignal;
}

/** A JSON request gets this long without a byte before it is given up. */
const IDLE_TIMEOUT_MS = 120_000;

/** The ingestion service's import API, over node:http so an upload streams with backpressure. */
export class IngestionClient {
  private readonly agent: http.Agent;

  constructor(private readonly conn: Connection) {
    this.agent = conn.url.startsWith('https:')
      ? new https.Agent({ keepAlive: true })
      : new http.Agent({ keepAlive: true });
  }

  close(): void {
    this.agent.destroy();
  }

  /** `POST /v1/imports` with a streamed multipart body. */
  async upload(body: Readable, contentType: string, idempotencyKey: string, signal?: AbortSignal): Promise<Created> {
    const answer = await this.send('POST', '/v1/imports', {
      headers: { 'content-type': contentType, 'idempotency-key': idempotencyKey },
      body,
      signal,
    });
    return created(answer, await this.json<ImportView>(answer));
  }

  /** `POST /v1/imports` with a JSON body: an s3:// source. */
  async createFromS3(payload: object, idempotencyKey: string, signal?: AbortSignal): Promise<Created> {
    const answer = await this.send('POST', '/v1/imports', {
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: Buffer.from(JSON.stringify(payload)),
      signal,
    });
    return created(answer, await this.json<ImportView>(answer));
  }

  get(id: string, signal?: AbortSignal): Promise<ImportView> {
    return this.call<ImportView>('GET', `/v1/imports/${encodeURIComponent(id)}`, signal);
  }

  list(signal?: AbortSignal): Promise<ImportView[]> {
    return this.call<ImportView[]>('GET', '/v1/imports', signal);
  }

  control(id: string, action: 'pause' | 'resume' | 'cancel', signal?: AbortSignal): Promise<ImportView> {
    return this.call<ImportView>('POST', `/v1/imports/${encodeURIComponent(id)}/${action}`, signal);
  }

  /** The per-item report as a stream, once the server has said 200. */
  async report(id: string, format: 'csv' | 'json', signal?: AbortSignal): Promise<Readable> {
    const answer = await this.send('GET', `/v1/imports/${encodeURIComponent(id)}/report?format=${format}`, {
      headers: { accept: format === 'csv' ? 'text/csv' : 'application/json' },
      signal,
    });
    if (answer.status === 200) return answer.body;
    await this.json(answer); // throws the server's error for a 4xx or 5xx
    throw new HttpError(answer.status, 'unexpected_answer', `the report answered ${answer.status}`);
  }

  private async call<T>(method: string, path: string, signal?: AbortSignal): Promise<T> {
    return this.json<T>(await this.send(method, path, { signal }));
  }

  /** The answer's JSON, or an HttpError carrying the server's code and message. */
  private async json<T>(answer: Answer): Promise<T> {
    const text = await readText(answer.body);
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (answer.status >= 200 && answer.status < 300 && body !== undefined) return body as T;
    if (answer.status < 400)
      throw new HttpError(answer.status, 'unexpected_answer', `unexpected answer: ${snippet(text)}`);
    throw new HttpError(
      answer.status,
      typeof body?.code === 'string' ? body.code : `http_${answer.status}`,
      typeof body?.message === 'string' ? body.message : snippet(text) || http.STATUS_CODES[answer.status] || 'error',
      Array.isArray(body?.issues) ? body.issues : [],
    );
  }

  private send(method: string, path: string, opts: SendOptions): Promise<Answer> {
    const url = new URL(this.conn.url + path);
    const streamed = opts.body instanceof Readable ? opts.body : undefined;
    return new Promise<Answer>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(url, {
        method,
        headers: {
          accept: 'application/json',
          'user-agent': 'dg-cli',
          authorization: `Bearer ${this.conn.apiKey}`,
          ...opts.headers,
        },
        // Keep-alive, uploads included: on a `Connection: close` request Node's server closes the
        // socket right after an early answer (an idempotent replay, a 401) with the rest of the body
        // unread, and the reset that follows can destroy the answer before the client reads it.
        agent: this.agent,
        signal: opts.signal,
      });
      let localError: Error | undefined;
      let sent = false;
      req.on('finish', () => (sent = true));
      req.on('error', (error: Error & { code?: string }) => {
        streamed?.destroy(); // an aborted upload stops reading its file
        if (localError) reject(localError);
        else if (error.name === 'AbortError') reject(error);
        else reject(new ConnectionError(`cannot reach the ingestion service at ${this.conn.url}: ${error.message}`));
      });
      if (!streamed) req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error('no answer in time')));
      req.on('response', (res) => {
        if (streamed && !sent) {
          // Answered early: the rest of the body is not wanted. Stop reading the source, and drop
          // the connection (it is mid-body, not reusable) once the answer is read.
          streamed.unpipe(req);
          streamed.destroy();
          res.once('end', () => req.destroy());
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      if (streamed) {
        streamed.once('error', (error) => {
          localError = error;
          req.destroy(error);
        });
        streamed.pipe(req);
      } else {
        req.end(opts.body);
      }
    });
  }
}

function created(answer: Answer, view: ImportView): Created {
  return { view, replayed: answer.status === 200 && answer.headers['idempotent-replayed'] === 'true' };
}

async function readText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const snippet = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text).trim();
