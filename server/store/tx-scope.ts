import { AsyncLocalStorage } from 'node:async_hooks';

/** What the current async context knows about an open transaction. */
export interface TxScope {
  /** The store that opened the transaction. */
  readonly owner: object;
  /** False once the transaction has committed or rolled back. */
  active: boolean;
}

/**
 * The transaction (if any) whose body the current async context runs in. Both backends use it to
 * turn two easy mistakes into clear errors: a nested `store.transaction()` and a plain
 * `store.collection()` call inside a transaction body (which would deadlock on the embedded
 * engine, and silently escape the transaction on MongoDB).
 */
export const txScope = new AsyncLocalStorage<TxScope>();

/** The open transaction of `owner` that the caller runs inside, if any. */
export function activeScope(owner: object): TxScope | undefined {
  const scope = txScope.getStore();
  return scope && scope.active && scope.owner === owner ? scope : undefined;
}

/** Thrown when `store.transaction()` is called inside another transaction of the same store. */
export function nestedTransactionError(): Error {
  return new Error(
    'store.transaction() cannot be nested: run the inner work on the outer transaction\'s tx handle',
  );
}

/** Thrown when a non-transactional collection is used inside a transaction body. */
export function outsideHandleError(collection: string): Error {
  return new Error(
    `store.collection('${collection}') was used inside store.transaction(): ` +
      `use tx.collection('${collection}') so the operation joins the transaction`,
  );
}
