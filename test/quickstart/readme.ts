/**
 * Reads the merchant quick start out of the README: its numbered steps (`### 3. …`), each either
 * a terminal step with ```sh blocks or a browser step (title starting with "Browser:").
 */

/** One numbered step. */
export interface QuickStartStep {
  number: number;
  title: string;
  /** Done by a person in the browser, not typed in the terminal. */
  browser: boolean;
  /** The ```sh blocks, verbatim. */
  blocks: string[];
  /** The whole step as written. */
  text: string;
}

/**
 * The text of the `## <title>` section of a Markdown document (up to the next `## ` heading).
 *
 * @example
 * ```ts
 * section(readFileSync('README.md', 'utf8'), 'Merchant quick start');
 * ```
 */
export function section(markdown: string, title: string): string {
  const text = markdown.replace(/\r\n?/g, '\n');
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no "## ${title}" section`);
  const body = text.slice(start + title.length + 5);
  const end = body.search(/^## /m);
  return end < 0 ? body : body.slice(0, end);
}

/** The ```sh blocks of a Markdown text, verbatim and in order. */
export function shBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);
}

/** The numbered steps of the quick start section. */
export function quickStartSteps(markdown: string, title = 'Merchant quick start'): QuickStartStep[] {
  const body = section(markdown, title);
  const heads = [...body.matchAll(/^### (\d+)\. (.+)$/gm)];
  return heads.map((h, i) => {
    const text = body.slice(h.index, heads[i + 1]?.index ?? body.length);
    const title = h[2]!.trim();
    return { number: Number(h[1]), title, browser: /^Browser:/.test(title), blocks: shBlocks(text), text };
  });
}
