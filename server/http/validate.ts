/**
 * Request-body validation with JSON Schema (ajv), compiled once per schema at route definition.
 */
import { Ajv, type ErrorObject, type JSONSchemaType, type ValidateFunction } from 'ajv';
import type { NextFunction, Request, Response } from 'express';
import { LilyError } from '../../protocol/errors.ts';

const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, useDefaults: false });

/** Turns ajv errors into one readable sentence plus a list of `{path, message}`. */
export function describeErrors(errors: ErrorObject[] | null | undefined): { message: string; errors: { path: string; message: string }[] } {
  const list = (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : '';
    const missing = e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : '';
    const path = (e.instancePath + extra + missing) || '/';
    const message =
      e.keyword === 'additionalProperties' ? 'is not allowed' : e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid');
    return { path, message };
  });
  const first = list[0];
  return {
    message: first ? `${first.path.replace(/^\//, '').replace(/\//g, '.') || 'body'} ${first.message}` : 'invalid parameters',
    errors: list,
  };
}

/**
 * Compiles a schema once and returns a parser that throws INVALID_PARAMS naming the bad field.
 *
 * @example
 * ```ts
 * const parseLogin = compileBody<{ username: string }>({ type: 'object', ... });
 * const body = parseLogin(req.body);
 * ```
 */
export function compileBody<T>(schema: JSONSchemaType<T> | Record<string, unknown>): (value: unknown) => T {
  const validate = ajv.compile(schema) as ValidateFunction<T>;
  return (value: unknown): T => {
    if (!validate(value)) {
      const { message, errors } = describeErrors(validate.errors);
      throw new LilyError('INVALID_PARAMS', message, { errors });
    }
    return value;
  };
}

/** Express middleware form of {@link compileBody}: replaces `req.body` with the validated value. */
export function validateBody(schema: Record<string, unknown>) {
  const parse = compileBody(schema);
  return (req: Request, _res: Response, next: NextFunction): void => {
    req.body = parse(req.body ?? {});
    next();
  };
}
