/**
 * Structured logs with pino. One root logger per process, built by `main.ts` (or a test) and
 * passed down; modules never create loggers on import.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Builds the root logger. Secrets that might appear in logged objects are redacted.
 *
 * @example
 * ```ts
 * const log = createLogger('info');
 * log.child({ requestId }).info({ status: 200 }, 'request done');
 * ```
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'lily' },
      redact: {
        paths: [
          'password',
          'pin',
          'privateKey',
          'token',
          '*.password',
          '*.pin',
          '*.privateKey',
          '*.token',
          'req.headers.authorization',
          'req.headers.cookie',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
