/**
 * Text that people read in the host, in both of its languages: Chinese (the default) and English.
 * One shape for every such text: consent purposes and scope descriptions from the capability
 * definitions, the host's error texts, and whatever else the server hands the host to show.
 */

/** A text in Chinese and English. */
export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

/** The host's languages; Chinese is the default. */
export type Language = keyof Bilingual;

/**
 * The text in `language`, falling back to Chinese (the default) when that one is empty.
 *
 * @example
 * ```ts
 * inLanguage({ zh: '查找附近的上车点。', en: 'Find a pick-up point near you.' }, 'en');
 * ```
 */
export function inLanguage(text: Bilingual, language: Language = 'zh'): string {
  return text[language] || text.zh;
}
