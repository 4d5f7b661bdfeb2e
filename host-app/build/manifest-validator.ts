/**
 * A Vite plugin that precompiles the package manifest's JSON Schema at build time (Ajv's
 * standalone code) and gives `runtime/package/manifest.ts` a small `Ajv` stand-in that returns it.
 *
 * Why: Ajv compiles schemas into functions with `new Function`, which the host app's
 * Content-Security-Policy forbids (no `unsafe-eval`, in the page or in the runtime worker).
 * Only the manifest validator runs in the browser, so only its schema is precompiled; compiling
 * any other schema in the browser build throws, loudly.
 */
import { Ajv } from 'ajv';
import { _ } from 'ajv/dist/compile/codegen/index.js';
import standaloneModule from 'ajv/dist/standalone/index.js';
import type { Plugin } from 'vite';
import { MANIFEST_SCHEMA } from '../../runtime/package/manifest.ts';

const VIRTUAL_ID = '\0lily-precompiled-ajv';

// Ajv's runtime helpers the generated code may require, inlined (the only one the manifest needs).
const RUNTIME_HELPERS: Record<string, string> = {
  ucs2length:
    'function(str){const len=str.length;let length=0;let pos=0;let value;while(pos<len){length++;value=str.charCodeAt(pos++);' +
    'if(value>=0xd800&&value<=0xdbff&&pos<len){value=str.charCodeAt(pos);if((value&0xfc00)===0xdc00)pos++;}}return length;}',
};

/** The stand-in module's source: the precompiled validator plus an `Ajv` class that serves it. */
export function precompiledAjvSource(): string {
  const standalone = ((standaloneModule as unknown as { default?: unknown }).default ?? standaloneModule) as (ajv: Ajv, v: unknown) => string;
  const ajv = new Ajv({ allErrors: true, strict: true, code: { source: true, esm: true, formats: _`__lilyFormats` } });
  // The real check is registered by manifest.ts at run time (addFormat); this one only shapes the code.
  ajv.addFormat('semver', { type: 'string', validate: () => true });
  let code = standalone(ajv, ajv.compile(MANIFEST_SCHEMA));
  code = code.replace(/^"use strict";/, '').replace(/export default validate\d+;/, '').replace(/export const validate = (validate\d+);/, 'const __validate = $1;');
  code = code.replace(/require\("ajv\/dist\/runtime\/([a-z0-9]+)"\)/g, (_m, name: string) => {
    const helper = RUNTIME_HELPERS[name];
    if (!helper) throw new Error(`precompiled manifest validator needs Ajv runtime helper "${name}"; add it to RUNTIME_HELPERS`);
    return `({ default: ${helper} })`;
  });
  return [
    'const __registered = Object.create(null);',
    'const __lilyFormats = { semver: { validate: (v) => { const f = __registered.semver; return typeof f === "function" ? f(v) : false; } } };',
    code,
    `const __schema = ${JSON.stringify(JSON.stringify(MANIFEST_SCHEMA))};`,
    'export class Ajv {',
    '  addFormat(name, def) { __registered[name] = typeof def === "function" ? def : def.validate; return this; }',
    '  compile(schema) {',
    '    if (JSON.stringify(schema) !== __schema) throw new Error("Only the manifest schema is precompiled for the browser.");',
    '    return __validate;',
    '  }',
    '}',
    'export default Ajv;',
  ].join('\n');
}

/** The plugin: `ajv` imported by the runtime's manifest module resolves to the stand-in. */
export function precompiledManifestValidator(): Plugin {
  let source: string | undefined;
  return {
    name: 'lily-precompiled-manifest-validator',
    enforce: 'pre',
    resolveId(id, importer) {
      if (id === 'ajv' && importer && /runtime[\\/]package[\\/]manifest\.ts$/.test(importer)) return VIRTUAL_ID;
      return null;
    },
    load(id) {
      if (id !== VIRTUAL_ID) return null;
      source ??= precompiledAjvSource();
      return source;
    },
  };
}
