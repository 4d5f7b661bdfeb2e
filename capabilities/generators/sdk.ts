/**
 * The typed SDK for mini-app authors (`generated/lily.d.ts`): `lily.<category>.<name>.<method>()`
 * and the flat aliases `lily.<method>()`, each taking its params plus optional
 * `success/fail/complete` callbacks and returning a promise; plus the App/Page/h globals.
 */
import { ERROR_CODES } from '../../protocol/errors.ts';
import { CATEGORIES, nameOf } from '../define.ts';
import type { Registry } from '../registry.ts';
import type { JSONSchema } from '../schema-types.ts';
import { GENERATED_COMMENT } from './catalog.ts';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const literal = (v: unknown) => JSON.stringify(v);
const doc = (text: string | undefined, pad: string) =>
  text ? `${pad}/** ${text.replace(/\*\//g, '*\\/').replace(/\n/g, ' ')} */\n` : '';

/** The TypeScript type text of a schema (the same subset `FromSchema` covers). */
export function schemaToTs(schema: JSONSchema, pad = ''): string {
  if (schema.const !== undefined) return literal(schema.const);
  if (schema.enum) return schema.enum.map(literal).join(' | ');
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches) return branches.map((b) => schemaToTs(b, pad)).join(' | ');
  if (schema.type === undefined) return 'JSONValue';
  const types = typeof schema.type === 'string' ? [schema.type] : schema.type;
  // Members are primitives, arrays, records or object literals: none needs parentheses.
  return types.map((t) => single(schema, t, pad)).join(' | ');
}

function single(schema: JSONSchema, type: string, pad: string): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const item = schema.items ? schemaToTs(schema.items, pad) : 'JSONValue';
      return /^[\w$.]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'object': {
      const props = Object.entries(schema.properties ?? {});
      const ap = schema.additionalProperties;
      if (props.length === 0 && typeof ap === 'object') return `Record<string, ${schemaToTs(ap, pad)}>`;
      if (props.length === 0) return ap === false ? '{}' : 'Record<string, JSONValue>';
      const inner = `${pad}  `;
      const required = new Set(schema.required ?? []);
      const lines = props.map(
        ([name, s]) =>
          `${doc(s.description, inner)}${inner}${IDENT.test(name) ? name : literal(name)}${required.has(name) ? '' : '?'}: ${schemaToTs(s, inner)};\n`,
      );
      if (typeof ap === 'object') lines.push(`${inner}[key: string]: ${schemaToTs(ap, inner)};\n`);
      return `{\n${lines.join('')}${pad}}`;
    }
    default:
      return 'unknown';
  }
}

const PRELUDE = `/**
 * Typings of the Lily mini-app SDK. Every capability method is available as
 * \`lily.<category>.<capability>.<method>(params)\` and as the flat alias \`lily.<method>(params)\`;
 * each returns a promise and also accepts WeChat-style \`success\`/\`fail\`/\`complete\` callbacks.
 * Failures reject with a {@link Lily.LilyError}: branch on \`code\`, never on \`message\`.
 */
declare namespace Lily {
  /** Any JSON value. */
  type JSONValue = string | number | boolean | null | JSONValue[] | { [key: string]: JSONValue };

  /** Stable error codes. */
  type ErrorCode =
${ERROR_CODES.map((c) => `    | '${c}'`).join('\n')};

  /** What a failed call rejects with (also passed to \`fail\`). */
  interface LilyError {
    code: ErrorCode;
    message: string;
    /** Machine-readable facts, e.g. \`errors: [{ path, field, message }]\` for INVALID_PARAMS. */
    details?: Record<string, JSONValue>;
  }

  /** WeChat-style callbacks every method accepts beside its params. */
  interface Callbacks<R> {
    success?(result: R): void;
    fail?(error: LilyError): void;
    complete?(): void;
  }

  /** View components the host renders. */
  type ComponentName = 'view' | 'text' | 'button' | 'image' | 'input' | 'list' | 'picker' | 'switch' | 'form' | 'icon' | 'badge' | 'divider';

  /** A sanitized event passed to a handler named in a component's props (e.g. \`onTap: 'book'\`). */
  interface ViewEvent {
    type: string;
    /** \`data-*\` props of the component, without the prefix. */
    dataset: Record<string, JSONValue>;
    /** Input value for input, picker, switch and form events. */
    value?: JSONValue;
  }

  /** A node of the view tree \`render\` returns. */
  interface VNode {
    type: ComponentName;
    props: Record<string, JSONValue>;
    children: Child[];
  }
  type Child = VNode | string | number | boolean | null | undefined | Child[];

  /** How the mini-app was opened (see base.system.getLaunchOptions). */
  type LaunchOptions = base.system.GetLaunchOptionsResult;

  interface AppOptions {
    onLaunch?(options: LaunchOptions): void;
    onShow?(options: LaunchOptions): void;
    onHide?(): void;
    /** An uncaught error in the mini-app; report it with lily.base.log.reportError. */
    onError?(error: LilyError | string): void;
    globalData?: Record<string, JSONValue>;
  }

  interface PageInstance<D extends Record<string, JSONValue>> {
    /** The page's data; change it only with setData. */
    readonly data: D;
    /** The page path, e.g. \`pages/index/index\`. */
    readonly route: string;
    /** Merges \`patch\` into data (keys may be paths like \`'list[0].title'\`) and re-renders. */
    setData(patch: Partial<D> & Record<string, JSONValue>, callback?: () => void): void;
  }

  interface PageOptions<D extends Record<string, JSONValue>> {
    data?: D;
    onLoad?(query: Record<string, string>): void;
    onShow?(): void;
    onHide?(): void;
    onUnload?(): void;
    onPullDownRefresh?(): void;
    onReachBottom?(): void;
    /** Returns the view tree for the current data. */
    render(data: D): VNode;
  }
`;

const POSTLUDE = `
/** Registers the mini-app (once, in app.js). */
declare function App<T extends Record<string, unknown>>(options: Lily.AppOptions & T & ThisType<T>): void;

/** Registers a page; handlers named in the view receive a {@link Lily.ViewEvent}. */
declare function Page<D extends Record<string, Lily.JSONValue>, T extends Record<string, unknown>>(
  options: Lily.PageOptions<D> & T & ThisType<Lily.PageInstance<D> & T>,
): void;

/** Builds a view node (JSX compiles to it). */
declare function h(type: Lily.ComponentName, props?: Record<string, Lily.JSONValue> | null, ...children: Lily.Child[]): Lily.VNode;

/** The App instance. */
declare function getApp<T extends Record<string, unknown> = Record<string, unknown>>(): Lily.AppOptions & T;

/** The page stack, first page first. */
declare function getCurrentPages(): Lily.PageInstance<Record<string, Lily.JSONValue>>[];

/** The capability API. */
declare const lily: LilyApi;
`;

/** Builds the text of `lily.d.ts`. */
export function buildSdkTypes(registry: Registry): string {
  const out: string[] = [`// ${GENERATED_COMMENT}\n\n`, PRELUDE];
  const aliases: string[] = [];
  for (const cat of CATEGORIES) {
    const caps = registry.byCategory()[cat.id];
    for (const cap of caps) {
      const name = nameOf(cap.id);
      out.push(`\n  /** ${cap.title} (${cap.titleZh}): ${cap.description.replace(/\*\//g, '')} */\n  namespace ${cat.id}.${name} {\n`);
      const api: string[] = [];
      for (const [method, spec] of Object.entries(cap.methods)) {
        const P = `${pascal(method)}Params`;
        const R = `${pascal(method)}Result`;
        out.push(`    ${schemaToTsDecl(P, spec.params, '    ')}\n    ${schemaToTsDecl(R, spec.result, '    ')}\n`);
        const optional = (spec.params.required ?? []).length === 0;
        const lines = [spec.summary, ...(spec.userGesture ? ['Call only while handling a user tap.'] : [])];
        const jsdoc = `      /**\n${lines.map((l) => `       * ${l}`).join('\n')}\n       * @example lily.${cap.id}.${method}(${JSON.stringify(spec.examples[0]?.params ?? {})})\n       */\n`;
        if (spec.emits) {
          const E = `${pascal(method)}Event`;
          out.push(`    ${schemaToTsDecl(E, spec.emits, '    ')}\n`);
          api.push(`${jsdoc}      ${method}(listener: (event: ${E}) => void): Promise<${R}>;\n`);
        } else {
          api.push(`${jsdoc}      ${method}(params${optional ? '?' : ''}: ${P} & Callbacks<${R}>): Promise<${R}>;\n`);
        }
        aliases.push(`  ${method}: Lily.${cat.id}.${name}.Api['${method}'];\n`);
      }
      out.push(`    interface Api {\n${api.join('')}    }\n  }\n`);
    }
    out.push(`\n  interface ${pascal(cat.id)}Api {\n${caps.map((c) => `    ${nameOf(c.id)}: ${cat.id}.${nameOf(c.id)}.Api;\n`).join('')}  }\n`);
  }
  out.push('}\n\n/** `lily`: capabilities by category, plus a flat alias for every method. */\ninterface LilyApi {\n');
  for (const cat of CATEGORIES) out.push(`  /** ${cat.title} (${cat.titleZh}) */\n  ${cat.id}: Lily.${pascal(cat.id)}Api;\n`);
  out.push(aliases.join(''), '}\n', POSTLUDE);
  return out.join('');
}

function schemaToTsDecl(name: string, schema: JSONSchema, pad: string): string {
  const body = schemaToTs(schema, pad);
  return body.startsWith('{') ? `interface ${name} ${body}` : `type ${name} = ${body};`;
}
