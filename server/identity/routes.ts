/**
 * Identity routes: login, logout, who am I, self-service registration (users and merchants),
 * payment PIN.
 */
import { Router, type Response } from 'express';
import { validateBody } from '../http/validate.ts';
import type { Identity, LoginResult } from './identity.ts';
import { principalOf, requirePrincipal, SESSION_COOKIE } from './middleware.ts';

const loginSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'username', 'password'],
  properties: {
    kind: { type: 'string', enum: ['user', 'merchant', 'ops'] },
    username: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;

const registerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'username', 'password'],
  properties: {
    // Ops accounts are created by an ops admin, never by self-service.
    kind: { type: 'string', enum: ['user', 'merchant'] },
    username: { type: 'string', minLength: 3, maxLength: 32 },
    password: { type: 'string', minLength: 8, maxLength: 128 },
    displayName: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

const setPinSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['password', 'pin'],
  properties: {
    password: { type: 'string', minLength: 1, maxLength: 128 },
    pin: { type: 'string', pattern: '^\\d{6}$' },
  },
} as const;

const verifyPinSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['pin'],
  properties: { pin: { type: 'string', minLength: 1, maxLength: 16 } },
} as const;

function setSessionCookie(res: Response, login: LoginResult, secure: boolean): void {
  res.cookie(SESSION_COOKIE, login.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/',
    expires: new Date(login.expiresAt),
  });
}

/** The `/api/auth` and `/api/me` routes. */
export function identityRoutes(identity: Identity, options: { secureCookies: boolean }): Router {
  const router = Router();

  router.post('/auth/login', validateBody(loginSchema), async (req, res) => {
    const { kind, username, password } = req.body as { kind: 'user' | 'merchant' | 'ops'; username: string; password: string };
    const login = await identity.login(kind, username, password);
    req.log.info({ kind, principalId: login.principal.id }, 'login');
    setSessionCookie(res, login, options.secureCookies);
    res.json({ token: login.token, expiresAt: login.expiresAt, principal: publicPrincipal(login.principal) });
  });

  router.post('/auth/register', validateBody(registerSchema), async (req, res) => {
    const body = req.body as { kind: 'user' | 'merchant'; username: string; password: string; displayName?: string };
    const { id } = await identity.createAccount(body.kind, body);
    res.status(201).json({ id, username: body.username.trim().toLowerCase() });
  });

  router.post('/auth/logout', async (req, res) => {
    if (req.principal) await identity.logout(req.principal.sessionId);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  router.get('/auth/me', (req, res) => {
    res.json({ principal: publicPrincipal(principalOf(req)) });
  });

  router.put('/me/pin', requirePrincipal('user'), validateBody(setPinSchema), async (req, res) => {
    const { password, pin } = req.body as { password: string; pin: string };
    await identity.setPin(principalOf(req).id, password, pin);
    res.status(204).end();
  });

  router.post('/me/pin/verify', requirePrincipal('user'), validateBody(verifyPinSchema), async (req, res) => {
    await identity.verifyPin(principalOf(req).id, (req.body as { pin: string }).pin);
    res.json({ verified: true });
  });

  return router;
}

function publicPrincipal(p: { kind: string; id: string; username: string; displayName: string; roles: string[] }) {
  return { kind: p.kind, id: p.id, username: p.username, displayName: p.displayName, roles: p.roles };
}
