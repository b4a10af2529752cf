import { describe, expect, it } from 'vitest';
import {
  DashboardSessions,
  maxDashboardSessions,
  sessionCookie,
  sessionIdOf,
  sessionLifetimeMs,
} from './dashboard-sessions.js';

describe('DashboardSessions', () => {
  it('needs a sign-in only with a master key, and matches only that key', () => {
    expect(new DashboardSessions(undefined).required).toBe(false);
    expect(new DashboardSessions('').required).toBe(false);
    const sessions = new DashboardSessions('the-key');
    expect(sessions.required).toBe(true);
    expect(sessions.matchesMasterKey('the-key')).toBe(true);
    expect(sessions.matchesMasterKey('the-key ')).toBe(false);
    expect(new DashboardSessions(undefined).matchesMasterKey('')).toBe(false);
  });

  it('keeps a session for its lifetime, then forgets it; closing ends it at once', () => {
    const sessions = new DashboardSessions('k');
    const id = sessions.open(1000);
    const cookie = `other=1; pareto_router_session=${id}`;
    expect(sessions.isSignedIn(cookie, 1000 + sessionLifetimeMs - 1)).toBe(true);
    expect(sessions.isSignedIn(cookie, 1000 + sessionLifetimeMs)).toBe(false);
    const second = sessions.open(0);
    sessions.close(`pareto_router_session=${second}`);
    expect(sessions.isSignedIn(`pareto_router_session=${second}`, 1)).toBe(false);
    expect(sessions.isSignedIn('pareto_router_session=made-up', 1)).toBe(false);
    expect(sessions.isSignedIn(undefined, 1)).toBe(false);
  });

  it('drops the oldest session past the cap', () => {
    const sessions = new DashboardSessions('k');
    const first = sessions.open(0);
    for (let count = 1; count < maxDashboardSessions; count += 1) sessions.open(0);
    expect(sessions.isSignedIn(`pareto_router_session=${first}`, 1)).toBe(true);
    sessions.open(0);
    expect(sessions.isSignedIn(`pareto_router_session=${first}`, 1)).toBe(false);
  });
});

describe('session cookies', () => {
  it('are HttpOnly and SameSite=Strict, and clearing one expires it', () => {
    expect(sessionCookie('abc')).toMatch(
      /^pareto_router_session=abc; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    expect(sessionCookie(null)).toMatch(/^pareto_router_session=; .*Max-Age=0$/);
  });

  it('reads the session id among other cookies', () => {
    expect(sessionIdOf('a=1; pareto_router_session=xyz; b=2')).toBe('xyz');
    expect(sessionIdOf('pareto_router_session=')).toBeUndefined();
    expect(sessionIdOf('xpareto_router_session=zz')).toBeUndefined();
    expect(sessionIdOf(undefined)).toBeUndefined();
  });
});
