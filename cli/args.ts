/**
 * The `lily` command's argument parser: positionals, `--flag value`, `--flag=value` and boolean
 * `--flag`.
 */

/** Parsed `--flag value` options and positional arguments. */
export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/** Flags that take a value (the word after them is theirs). */
export const VALUE_FLAGS = new Set([
  '-o',
  '--out',
  '--path',
  '--query',
  '--server',
  '--credentials',
  '--dir',
  '--app-id',
  '--name',
  '--category',
  '--backend',
  '--username',
  '--password',
  '--business',
  '--licence',
  '--contact',
  '--phone',
  '--email',
  '--env',
  '--percent',
]);

/**
 * Splits argv into positionals and flags.
 *
 * @example
 * ```ts
 * parseArgs(['init', 'my-shop', '--app-id', 'com.example.shop', '--force']);
 * // { positional: ['init', 'my-shop'], flags: Map { '--app-id' => 'com.example.shop', '--force' => true } }
 * ```
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=');
      if (eq > 0) flags.set(arg.slice(0, eq), arg.slice(eq + 1));
      else if (VALUE_FLAGS.has(arg) && i + 1 < argv.length) flags.set(arg, argv[++i]!);
      else flags.set(arg, true);
    } else positional.push(arg);
  }
  return { positional, flags };
}

/** The string value of a flag, if it was given one. */
export function flagValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
