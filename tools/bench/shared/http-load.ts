import { Agent, request } from 'node:http';

/** A request built once, before the clock starts, and sent as many times as needed. */
export interface PreparedRequest {
  method: string;
  url: URL;
  headers: Record<string, string | number>;
  body: Buffer;
}

const BOUNDARY = 'dg-bench-boundary-7d1c0a';

/**
 * A multipart/form-data POST with its body already laid out in one buffer. A load generator should
 * cost next to nothing per request: on a 2-core machine whatever it spends (undici's FormData goes
 * through web streams and copies the file twice) is taken from the service it measures.
 */
export function multipartPost(
  url: string,
  headers: Record<string, string>,
  fields: Record<string, string>,
  file: { name: string; fileName: string; contentType: string; bytes: Buffer },
): PreparedRequest {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.fileName}"\r\n` +
        `Content-Type: ${file.contentType}\r\n\r\n`,
    ),
    file.bytes,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  );
  const body = Buffer.concat(parts);
  return {
    method: 'POST',
    url: new URL(url),
    headers: { ...headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': body.length },
    body,
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** Sends a prepared request over a kept-alive connection; resolves with the status and body text. */
export function send(req: PreparedRequest): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const r = request(req.url, { method: req.method, headers: req.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}
