/**
 * Sign-in for the dashboard when a master key is set: the key is posted once, in a JSON body, and
 * exchanged for a random session id in an HttpOnly, SameSite=Strict cookie. The key never appears in a
 * URL or in browser storage, and scripts on the page cannot read the cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const sessionCookieName = 'pareto_router_session';
/** A signed-in browser stays signed in this long without signing in again. */
export const sessionLifetimeMs = 12 * 60 * 60 * 1000;
/** Sessions kept at most; the oldest is dropped first, so a flood of sign-ins cannot grow memory. */
export const maxDashboardSessions = 1000;

export class DashboardSessions {
  readonly #sessions = new Map<string, number>();
  readonly #masterKeyDigest: Buffer | undefined;

  constructor(masterKey: string | undefined) {
    this.#masterKeyDigest = masterKey === undefined || masterKey === '' ? undefined : digest(masterKey);
  }

  /** Whether the dashboard needs a sign-in (a master key is set). */
  get required(): boolean {
    return this.#masterKeyDigest !== undefined;
  }

  /** True when `candidate` is the master key (constant-time over fixed-length digests). */
  matchesMasterKey(candidate: string): boolean {
    return this.#masterKeyDigest !== undefined && timingSafeEqual(digest(candidate), this.#masterKeyDigest);
  }

  /** Opens a session and returns its id. */
  open(now: number): string {
    const id = randomBytes(32).toString('base64url');
    if (this.#sessions.size >= maxDashboardSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    this.#sessions.set(id, now + sessionLifetimeMs);
    return id;
  }

  /** True when the cookie header carries a live session. */
  isSignedIn(cookieHeader: string | undefined, now: number): boolean {
    const id = sessionIdOf(cookieHeader);
    if (id === undefined) return false;
    const expiresAt = this.#sessions.get(id);
    if (expiresAt === undefined) return false;
    if (expiresAt <= now) {
      this.#sessions.delete(id);
      return false;
    }
    return true;
  }

  /** Ends the session the cookie names, if any. */
  close(cookieHeader: string | undefined): void {
    const id = sessionIdOf(cookieHeader);
    if (id !== undefined) this.#sessions.delete(id);
  }
}

/** The Set-Cookie value that stores a session id (or clears it when `id` is null). */
export function sessionCookie(id: string | null): string {
  const attributes = 'Path=/; HttpOnly; SameSite=Strict';
  return id === null
    ? `${sessionCookieName}=; ${attributes}; Max-Age=0`
    : `${sessionCookieName}=${id}; ${attributes}; Max-Age=${sessionLifetimeMs / 1000}`;
}

/** The session id in a Cookie header, or undefined. */
export function sessionIdOf(cookieHeader: string | undefined): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const part of cookieHeader.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === sessionCookieName) {
      const value = part.slice(separator + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
