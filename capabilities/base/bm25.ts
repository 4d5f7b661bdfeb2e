/**
 * A small BM25 index for the support assistant. Chinese text is split into character bigrams
 * (plus single characters, for recall), Latin text into lower-case words with identifiers split
 * at camelCase; stop words are dropped.
 */

/** A document: weighted fields (a title with weight 3 counts each term three times). */
export interface IndexedDoc {
  readonly id: string;
  readonly fields: readonly { readonly text: string; readonly weight: number }[];
}

/** A search hit. */
export interface Hit {
  readonly id: string;
  readonly score: number;
}

const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
const STOP_HAN = new Set('的了吗么呢吧啊是在我你他她它们这那有和与及或就都也还要会能可以怎么什么为'.split(''));
const STOP_EN = new Set(
  'a an and are as at be but by can do does for from how i if in into is it its me much many my no not of on or so that the then there this to was what when where which who why will with you your'.split(' '),
);

/** A light English stemmer: refunds, refunded, refunding → refund; refuse, refused → refus. */
export function stem(word: string): string {
  if (word.length < 4 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) w = w.slice(0, -1);
  return w.length > 3 && w.endsWith('e') ? w.slice(0, -1) : w;
}

/**
 * Splits text into index terms.
 *
 * @example
 * ```ts
 * tokenize('退款多久到账 requestPayment refunds'); // ['退款', '款多', …, '退', '款', …, 'request', 'payment', 'refund']
 * ```
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const normalized = text.normalize('NFKC').replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  for (const run of normalized.match(HAN) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
    for (const c of chars) if (!STOP_HAN.has(c)) out.push(c);
  }
  for (const word of normalized.replace(HAN, ' ').toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    if (STOP_EN.has(word) || (word.length < 2 && !/\d/.test(word))) continue;
    out.push(stem(word));
  }
  return out;
}

/** A built index. */
export interface Bm25Index {
  /** Best hits first; only documents sharing at least one term with the query. */
  search(query: string, limit: number): Hit[];
  readonly size: number;
}

/**
 * Builds a BM25 index (k1 = 1.2, b = 0.75).
 *
 * @example
 * ```ts
 * const index = buildBm25([{ id: 'a', fields: [{ text: '退款多久到账', weight: 1 }] }]);
 * index.search('退款', 3); // [{ id: 'a', score: … }]
 * ```
 */
export function buildBm25(docs: readonly IndexedDoc[], k1 = 1.2, b = 0.75): Bm25Index {
  const tfs: Map<string, number>[] = [];
  const lengths: number[] = [];
  const df = new Map<string, number>();
  for (const doc of docs) {
    const tf = new Map<string, number>();
    let length = 0;
    for (const field of doc.fields) {
      for (const term of tokenize(field.text)) {
        tf.set(term, (tf.get(term) ?? 0) + field.weight);
        length += field.weight;
      }
    }
    for (const term of tf.keys()) df.set(term, (df.get(term) ?? 0) + 1);
    tfs.push(tf);
    lengths.push(length);
  }
  const n = docs.length;
  const avgdl = lengths.reduce((a, l) => a + l, 0) / Math.max(1, n);
  const idf = (term: string) => {
    const d = df.get(term) ?? 0;
    return Math.log(1 + (n - d + 0.5) / (d + 0.5));
  };
  return {
    size: n,
    search(query, limit) {
      const terms = [...new Set(tokenize(query))].filter((t) => df.has(t));
      const hits: Hit[] = [];
      for (let i = 0; i < n; i++) {
        let score = 0;
        for (const term of terms) {
          const f = tfs[i]!.get(term);
          if (f === undefined) continue;
          score += (idf(term) * f * (k1 + 1)) / (f + k1 * (1 - b + (b * lengths[i]!) / avgdl));
        }
        if (score > 0) hits.push({ id: docs[i]!.id, score });
      }
      return hits.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1)).slice(0, limit);
    },
  };
}
