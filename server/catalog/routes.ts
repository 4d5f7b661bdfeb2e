/**
 * The developer catalog: `GET /api/catalog` (categories, capabilities, methods, schemas, scopes,
 * examples, error codes), `GET /api/catalog/openapi.json` (OpenAPI 3.1 of every Open API route)
 * and `GET /api/catalog/lily.d.ts` (the typed SDK for mini-app authors). All three are generated
 * from the capability definitions by `capabilities/generate.ts`; a test keeps the committed files
 * fresh, and this route serves exactly what is committed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { GENERATED_DIR } from '../../capabilities/generate.ts';
import type { Registry } from '../../capabilities/registry.ts';
import { LilyError } from '../../protocol/errors.ts';

const FILES = {
  'catalog.json': 'application/json; charset=utf-8',
  'openapi.json': 'application/json; charset=utf-8',
  'lily.d.ts': 'text/plain; charset=utf-8',
} as const;

/** The catalog routes; files are read once, when the routes are built. */
export function catalogRoutes(deps: { registry: Registry }): Router {
  const router = Router();
  const cache = new Map<string, Buffer>();
  for (const name of Object.keys(FILES)) cache.set(name, readFileSync(path.join(GENERATED_DIR, name)));

  const send = (name: keyof typeof FILES) => (_req: unknown, res: import('express').Response) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type(FILES[name]).send(cache.get(name));
  };
  router.get('/catalog', send('catalog.json'));
  router.get('/catalog/openapi.json', send('openapi.json'));
  router.get('/catalog/lily.d.ts', (req, res) => {
    res.setHeader('Content-Disposition', 'attachment; filename="lily.d.ts"');
    send('lily.d.ts')(req, res);
  });
  router.get('/catalog/capabilities/:id', (req, res) => {
    const def = deps.registry.get(String(req.params.id));
    if (!def) throw new LilyError('NOT_FOUND', `No capability ${String(req.params.id)}.`);
    const catalog = JSON.parse(cache.get('catalog.json')!.toString('utf8')) as { capabilities?: { id: string }[] };
    const entry = catalog.capabilities?.find((c) => c.id === def.id);
    if (!entry) throw new LilyError('NOT_FOUND', `No capability ${def.id}.`);
    res.json(entry);
  });
  return router;
}
