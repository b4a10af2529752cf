/**
 * Browser defences. A web page the user opens can make the browser send requests to a router on
 * loopback: a "simple" cross-site POST (text/plain, no preflight) or, after DNS rebinding, a request
 * under the attacker's own host name. Either would spend the provider keys of a router in open mode.
 * So: a foreign `Origin` is refused unless configured, POST bodies must be declared JSON (which a simple
 * cross-site request cannot do), the `Host` of a loopback-bound router must be a loopback name or the
 * configured host, and CORS preflight is answered only for configured origins. Coding agents and SDKs
 * send JSON and no Origin, so none of this touches them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouterConfig } from '../config/router-config.js';
import { RouterError } from '../core/errors.js';
import { isLoopbackHost } from './router-ops.js';

export interface BrowserGuard {
  /**
   * Throws a 403 or 415 for a request a foreign page could have sent; otherwise returns the configured
   * origin the response must name in CORS headers, or undefined.
   */
  check(request: IncomingMessage, method: string): string | undefined;
  /** Answers a CORS preflight (`OPTIONS`): 204 for a configured origin, a thrown 403 otherwise. */
  preflight(request: IncomingMessage, response: ServerResponse): void;
}

/** The host name of a `Host` header or URL host (`[::1]:8080` -> `::1`, `a.example:80` -> `a.example`). */
export function hostNameOf(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end < 0 ? value : value.slice(1, end);
  }
  const colon = value.indexOf(':');
  // More than one colon without brackets is a bare IPv6 address.
  if (colon < 0 || value.indexOf(':', colon + 1) >= 0) return value;
  return value.slice(0, colon);
}

function isLoopbackName(name: string): boolean {
  return isLoopbackHost(name) || name.endsWith('.localhost');
}

/** Headers a configured origin's page may read from a response. */
const exposedHeaders = [
  'x-generation-id',
  'x-pareto-tier',
  'x-pareto-model',
  'x-pareto-upstream',
  'x-pareto-attempts',
  'x-pareto-overhead-ms',
  'x-pareto-warnings',
  'retry-after',
].join(', ');

/** Request headers a preflight may allow (what the SDKs send); anything else is left out. */
const allowableHeader = /^[a-z0-9-]{1,64}$/;

export function createBrowserGuard(config: RouterConfig): BrowserGuard {
  const allowed = new Set(config.allowedOrigins ?? []);
  const allowedHosts = new Set([...allowed].map((origin) => hostNameOf(new URL(origin).host)));
  const configuredHost = hostNameOf(config.host);
  // A router bound beyond loopback is reached under names it cannot know; keys guard it instead.
  const checkHost = isLoopbackHost(configuredHost);

  const hostAllowed = (host: string | undefined): boolean => {
    if (!checkHost) return true;
    if (host === undefined) return false;
    const name = hostNameOf(host);
    return isLoopbackName(name) || name === configuredHost || allowedHosts.has(name);
  };

  const refuseHost = (host: string | undefined) =>
    new RouterError(
      'forbidden_origin',
      `Host ${JSON.stringify(host ?? '')} is not a name of this router: a router bound to ${config.host} answers only to loopback names${allowedHosts.size > 0 ? ' and the hosts of allowedOrigins' : ''}`,
    );

  return {
    check(request, method) {
      const headers = request.headers;
      if (!hostAllowed(headers.host)) throw refuseHost(headers.host);
      const origin = headers.origin;
      let corsOrigin: string | undefined;
      if (origin !== undefined) {
        if (allowed.has(origin)) corsOrigin = origin;
        else if (!sameOrLoopbackOrigin(origin, headers.host)) {
          throw new RouterError(
            'forbidden_origin',
            `Origin ${JSON.stringify(origin.slice(0, 200))} may not call this router; add it to allowedOrigins (--allowed-origins, PARETO_ROUTER_ALLOWED_ORIGINS) to allow it`,
          );
        }
      }
      if (method === 'POST' && !isJson(headers['content-type'])) {
        throw new RouterError(
          'unsupported_media_type',
          `POST bodies must be sent as Content-Type: application/json, got ${JSON.stringify(headers['content-type'] ?? 'none')}`,
        );
      }
      return corsOrigin;
    },
    preflight(request, response) {
      const headers = request.headers;
      if (!hostAllowed(headers.host)) throw refuseHost(headers.host);
      const origin = headers.origin;
      if (origin === undefined || !allowed.has(origin)) {
        throw new RouterError(
          'forbidden_origin',
          `CORS preflight refused for origin ${JSON.stringify((origin ?? 'none').slice(0, 200))}: only allowedOrigins get one`,
        );
      }
      const requested = String(headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter((name) => allowableHeader.test(name));
      response.writeHead(204, {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers':
          requested.length > 0 ? requested.join(', ') : 'content-type, authorization',
        'access-control-max-age': '600',
        vary: 'Origin',
        'content-length': 0,
      });
      response.end();
    },
  };
}

/** Sets the CORS headers of a response to a configured origin's request. */
export function setCorsHeaders(response: ServerResponse, origin: string): void {
  response.setHeader('access-control-allow-origin', origin);
  response.setHeader('access-control-expose-headers', exposedHeaders);
  response.setHeader('vary', 'Origin');
}

/** A loopback page, or the router's own page (the dashboard) under the host it was reached by. */
function sameOrLoopbackOrigin(origin: string, host: string | undefined): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (isLoopbackName(hostNameOf(url.host))) return true;
  return host !== undefined && url.host === host.toLowerCase();
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  // What nearly every client sends, without splitting and lower-casing a copy.
  if (contentType === 'application/json') return true;
  const type = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}
