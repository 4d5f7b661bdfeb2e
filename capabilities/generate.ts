/**
 * Generates the catalog, the OpenAPI document and the SDK typings from the definitions.
 *
 * Run `npx tsx capabilities/generate.ts` after changing a definition; `generated.test.ts` fails
 * while the committed files are stale. Output is deterministic: catalog order, fixed key order,
 * two-space JSON with a trailing newline.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCatalog } from './generators/catalog.ts';
import { buildOpenApi } from './generators/openapi.ts';
import { buildSdkTypes } from './generators/sdk.ts';
import { defaultRegistry } from './index.ts';
import type { Registry } from './registry.ts';

export { buildCatalog, GENERATED_COMMENT } from './generators/catalog.ts';
export { buildOpenApi } from './generators/openapi.ts';
export { buildSdkTypes, schemaToTs } from './generators/sdk.ts';

/** Where the generated files live. */
export const GENERATED_DIR = join(dirname(fileURLToPath(import.meta.url)), 'generated');

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * The generated files by name, as text.
 *
 * @example
 * ```ts
 * const files = generateAll();
 * JSON.parse(files['catalog.json']).counts.capabilities; // 48
 * ```
 */
export function generateAll(registry: Registry = defaultRegistry()): Record<'catalog.json' | 'openapi.json' | 'lily.d.ts', string> {
  return {
    'catalog.json': json(buildCatalog(registry)),
    'openapi.json': json(buildOpenApi(registry)),
    'lily.d.ts': buildSdkTypes(registry),
  };
}

/** Writes every generated file into `dir`. */
export async function writeGenerated(dir = GENERATED_DIR, registry?: Registry): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = generateAll(registry);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text, 'utf8');
  return Object.keys(files).map((name) => join(dir, name));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const written = await writeGenerated();
  for (const file of written) console.log(`wrote ${file}`);
}
