import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { gunzipSync } from 'node:zlib';
import { GatewayError } from './gateway.ts';

/**
 * One HTTP POST to the gateway, with a deadline. Everything that leaves the outcome unknown is
 * a GatewayError: `timeout` (no complete answer in time), `network` (refused, reset, TLS,
 * DNS), `bad_response` (not HTTP 200, too large, not UTF-8). A gzip answer is unpacked first.
 * Injected into the client so tests can pass fakes (docs/architecture.md).
 */
export interface Transport {
  post(url: string, body: string, options: PostOptions): Promise<string>;
  /** Drops idle keep-alive connections. */
  close(): void;
}

export interface PostOptions {
  /** Deadline for the whole exchange: connect, send, answer read to its end. */
  timeoutMs: number;
  /** Larger answers are cut off as bad_response (a gateway answer is small; a bill is not). */
  maxBytes: number;
  /** Send once more when a reused keep-alive connection is reset before any answer. */
  resendOnStaleConnection?: boolean;
  /** Default `text/xml; charset=utf-8` (WeChat); Alipay's gateway takes a form. */
  contentType?: string;
  /** Default `text/xml, text/plain`. */
  accept?: string;
}

export interface HttpTransportOptions {
  /** Merchant client certificate and key (PEM), sent on https connections (/secapi/ needs them). */
  certPem?: string;
  keyPem?: string;
  /** Extra trusted CA (PEM), for tests against a local https server; WeChat uses public CAs. */
  caPem?: string;
}

// Idle keep-alive connections are dropped before a typical server's 5 s idle timeout, so a
// request rarely meets a connection the server is closing at that very moment.
const IDLE_SOCKET_MS = 4_000;

export function createHttpTransport(options: HttpTransportOptions = {}): Transport {
  const httpAgent = new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  const httpsAgent = new HttpsAgent({
    keepAlive: true,
    timeout: IDLE_SOCKET_MS,
    ...(options.certPem && options.keyPem ? { cert: options.certPem, key: options.keyPem } : {}),
    ...(options.caPem ? { ca: options.caPem } : {}),
  });

  async function post(url: string, body: string, postOptions: PostOptions): Promise<string> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    if (!secure && target.protocol !== 'http:') throw new GatewayError('network', `unsupported gateway URL ${url}`);
    const agent = secure ? httpsAgent : httpAgent;
    try {
      return await exchange(target, body, postOptions, agent, postOptions.resendOnStaleConnection === true);
    } catch (error) {
      // Node's documented case: the server closed an idle keep-alive connection just as we reused
      // it, so the request most likely never reached it. Send once more, for calls where a copy is
      // harmless (endpoints.ts: `resend`).
      if (error instanceof StaleConnectionError) return exchange(target, body, postOptions, agent, false);
      throw error;
    }
  }

  return {
    post,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

class StaleConnectionError extends Error {}

function exchange(target: URL, body: string, options: PostOptions, agent: HttpAgent, mayRetryStale: boolean): Promise<string> {
  const where = `${target.host}${target.pathname}`;
  const payload = Buffer.from(body, 'utf8');
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, text?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        req.destroy();
        reject(error);
      } else {
        resolve(text!);
      }
    };

    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req: ClientRequest = request(target, {
      method: 'POST',
      agent,
      headers: {
        'Content-Type': options.contentType ?? 'text/xml; charset=utf-8',
        'Content-Length': payload.length,
        Accept: options.accept ?? 'text/xml, text/plain',
      },
    });
    const timer = setTimeout(
      () => finish(new GatewayError('timeout', `no complete answer from ${where} within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );

    let responded = false;
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (mayRetryStale && req.reusedSocket && error.code === 'ECONNRESET' && !responded) return finish(new StaleConnectionError());
      finish(new GatewayError('network', `cannot reach ${where}: ${error.code ?? error.message}`, { cause: error }));
    });

    req.on('response', (res: IncomingMessage) => {
      responded = true;
      if (res.statusCode !== 200) {
        res.resume();
        return finish(new GatewayError('bad_response', `${where} answered HTTP ${res.statusCode}`));
      }
      const declared = Number(res.headers['content-length']);
      if (declared > options.maxBytes) {
        return finish(new GatewayError('bad_response', `${where} answered ${declared} bytes, more than the ${options.maxBytes} allowed`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          finish(new GatewayError('bad_response', `${where} answered more than the ${options.maxBytes} bytes allowed`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (error: NodeJS.ErrnoException) =>
        finish(new GatewayError('network', `the answer from ${where} was cut off: ${error.code ?? error.message}`, { cause: error })),
      );
      res.on('end', () => {
        if (!res.complete) {
          return finish(new GatewayError('network', `the answer from ${where} was cut off`));
        }
        let body = Buffer.concat(chunks, size);
        if (isGzip(body)) {
          // downloadbill with tar_type=GZIP answers the bill gzipped (its XML failures are not).
          try {
            body = gunzipSync(body, { maxOutputLength: options.maxBytes });
          } catch (error) {
            return finish(new GatewayError('bad_response', `the gzip answer from ${where} does not unpack within ${options.maxBytes} bytes`, { cause: error }));
          }
        }
        try {
          finish(undefined, UTF8.decode(body));
        } catch (error) {
          finish(new GatewayError('bad_response', `the answer from ${where} is not UTF-8`, { cause: error }));
        }
      });
    });

    req.end(payload);
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** gzip's magic bytes: no XML or UTF-8 text starts with 0x1f 0x8b. */
const isGzip = (body: Buffer) => body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b;
