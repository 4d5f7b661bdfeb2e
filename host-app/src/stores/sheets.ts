/**
 * The host's sheets, one at a time: a request waits in the queue until the sheet before it is
 * answered. Only the host renders them (`components/sheets/HostSheets.vue`), above everything the
 * mini-app draws.
 */
import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import { DISMISSED, type SheetAnswers, type SheetKind, type SheetRequests } from '../runtime/sheets.ts';

/** A sheet being shown or waiting. */
export type ActiveSheet = { [K in SheetKind]: { id: number; kind: K; request: SheetRequests[K] } }[SheetKind];

/**
 * The sheets store.
 *
 * @example
 * ```ts
 * const sheets = useSheetsStore();
 * const { granted } = await sheets.show('consent', { sheet });
 * // the sheet component calls sheets.answer({ granted: true })
 * ```
 */
export const useSheetsStore = defineStore('sheets', () => {
  const queue = shallowRef<ActiveSheet[]>([]);
  const resolvers = new Map<number, (answer: unknown) => void>();
  let nextId = 0;

  const active = computed<ActiveSheet | null>(() => queue.value[0] ?? null);

  /** Shows a sheet (after those already waiting) and resolves with the user's answer. */
  function show<K extends SheetKind>(kind: K, request: SheetRequests[K]): Promise<SheetAnswers[K]> {
    const id = ++nextId;
    return new Promise<SheetAnswers[K]>((resolve) => {
      resolvers.set(id, resolve as (a: unknown) => void);
      queue.value = [...queue.value, { id, kind, request } as ActiveSheet];
    });
  }

  /** Answers the sheet on top. */
  function answer<K extends SheetKind>(kind: K, value: SheetAnswers[K]): void {
    const top = queue.value[0];
    if (!top || top.kind !== kind) return;
    queue.value = queue.value.slice(1);
    const resolve = resolvers.get(top.id);
    resolvers.delete(top.id);
    resolve?.(value);
  }

  /** Closes the sheet on top as if the user dismissed it. */
  function dismiss(): void {
    const top = queue.value[0];
    if (top) answer(top.kind, DISMISSED[top.kind]);
  }

  /** Dismisses every sheet (the mini-app was closed). */
  function dismissAll(): void {
    while (queue.value.length > 0) dismiss();
  }

  return { queue, active, show, answer, dismiss, dismissAll };
});
