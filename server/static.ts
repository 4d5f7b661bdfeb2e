/**
 * Serves the built host app (`dist/host-app`, made by `npm run build:host`): hashed assets with a
 * year-long immutable cache, the single-page app's `index.html` (revalidated on every visit) for
 * the client-side routes of the four faces, and a Content-Security-Policy that allows no inline,
 * foreign or `eval`-ed script. Without a build the same routes answer 503 with what to run.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type Response } from 'express';

/**
 * The client-side routes that answer with `index.html` (history fallback): the bank-app shell
 * (`/`, `/login`, `/me`, `/apps/…`), the merchant portal, the ops console and the developer center.
 */
export const SPA_ROUTES: readonly string[] = ['/', '/login', '/me', '/apps', '/merchant', '/ops', '/developers'];

/**
 * The policy of every document and script: scripts, workers and connections from this origin
 * only and no JavaScript `eval` (the runtime's manifest validator is precompiled at build time);
 * the QuickJS WebAssembly may be compiled (`wasm-unsafe-eval` allows WebAssembly, not `eval`);
 * images also from `blob:` (mini-app package assets) and `https:` (the domains a mini-app's
 * manifest allows, checked by the runtime); no plugins, no framing, no foreign form targets.
 * A worker takes its policy from its own script's response, so scripts carry it too.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data: https:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** True when `p` is one of {@link SPA_ROUTES} or below one. */
export function isSpaRoute(p: string): boolean {
  return SPA_ROUTES.some((r) => (r === '/' ? p === '/' : p === r || p.startsWith(`${r}/`)));
}

const NOT_BUILT = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Lily</title></head>
<body><h1>Lily</h1><p>宿主应用尚未构建。请运行 <code>npm run build:host</code>（<code>npm start</code> 会自动构建）。</p>
<p>The host app is not built yet. Run <code>npm run build:host</code> (<code>npm start</code> builds it for you).</p></body></html>`;

/**
 * The host app's routes. Mount them before the API's 404 handler; paths they do not know fall
 * through.
 *
 * @example
 * ```ts
 * app.use(staticRoutes(path.resolve('dist/host-app')));
 * ```
 */
export function staticRoutes(distDir: string): Router {
  const indexFile = path.join(distDir, 'index.html');
  let index: { mtimeMs: number; body: Buffer } | null = null;
  const router = Router();

  /** The current index.html, re-read when a new build replaced it; null without a build. */
  const currentIndex = (): Buffer | null => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(indexFile).mtimeMs;
    } catch {
      return null;
    }
    if (!index || index.mtimeMs !== mtimeMs) index = { mtimeMs, body: readFileSync(indexFile) };
    return index.body;
  };

  const sendIndex = (res: Response) => {
    const body = currentIndex();
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('Cache-Control', 'no-cache');
    if (body) res.type('html').send(body);
    else res.status(503).type('html').send(NOT_BUILT);
  };

  router.use(
    '/assets',
    express.static(path.join(distDir, 'assets'), {
      index: false,
      immutable: true,
      maxAge: '365d',
      setHeaders(res, file) {
        if (file.endsWith('.js')) res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
        if (file.endsWith('.wasm')) res.setHeader('Content-Type', 'application/wasm');
      },
    }),
  );

  router.get('/{*path}', (req, res, next) => {
    if (isSpaRoute(req.path)) return sendIndex(res);
    next();
  });

  // Other files at the root of the build (the favicon): a short cache, never index.html.
  router.use(
    express.static(distDir, {
      index: false,
      maxAge: '1h',
      setHeaders(res, file) {
        if (file.endsWith('.html')) {
          res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
          res.setHeader('Cache-Control', 'no-cache');
        }
      },
    }),
  );
  return router;
}
