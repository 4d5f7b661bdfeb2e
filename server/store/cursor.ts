import type { Cursor, Doc, FindOptions, Projection, Sort } from './types.ts';

/**
 * A cursor that runs its query once, on the first `toArray()` or iteration, with the options
 * chained so far; both backends use it. Results are read in one go (the store serves pages of
 * app data, not bulk exports).
 */
export class LazyCursor<T> implements Cursor<T> {
  readonly #options: FindOptions;
  #started = false;

  constructor(
    private readonly run: (options: FindOptions) => Promise<T[]>,
    options: FindOptions = {},
  ) {
    this.#options = { ...options };
  }

  #set(patch: FindOptions): this {
    if (this.#started) throw new Error('Cursor is already initialized');
    Object.assign(this.#options, patch);
    return this;
  }

  sort(sort: Sort): Cursor<T> {
    return this.#set({ sort });
  }

  skip(n: number): Cursor<T> {
    return this.#set({ skip: n });
  }

  limit(n: number): Cursor<T> {
    return this.#set({ limit: n });
  }

  project<P extends Doc = T & Doc>(projection: Projection): Cursor<P> {
    return this.#set({ projection }) as unknown as Cursor<P>;
  }

  /** The results; like the driver's cursor, an exhausted cursor yields `[]`. */
  toArray(): Promise<T[]> {
    if (this.#started) return Promise.resolve([]);
    this.#started = true;
    return this.run({ ...this.#options });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (const doc of await this.toArray()) yield doc;
  }
}
