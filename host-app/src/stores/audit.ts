/**
 * The audit log for ops: entries filtered by target and action, paged back by sequence number,
 * and verification of the whole hash chain.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { opsApi } from '../api/ops.ts';
import type { AuditEntry, AuditVerification } from '../api/types.ts';

const PAGE = 50;

/**
 * The audit store.
 *
 * @example
 * ```ts
 * const audit = useAuditStore();
 * await audit.load();
 * await audit.verify(); // audit.verification.ok
 * ```
 */
export const useAuditStore = defineStore('audit', () => {
  const entries = shallowRef<AuditEntry[]>([]);
  const targetId = ref('');
  const action = ref('');
  const more = ref(false);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  const verification = shallowRef<AuditVerification | null>(null);
  const verifying = ref(false);

  async function load(append = false): Promise<void> {
    loading.value = true;
    try {
      const before = append ? entries.value.at(-1)?.seq : undefined;
      const page = await opsApi.audit({ targetId: targetId.value.trim(), action: action.value.trim(), limit: PAGE, ...(before ? { beforeSeq: before } : {}) });
      entries.value = append ? [...entries.value, ...page] : page;
      more.value = page.length === PAGE;
      error.value = null;
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  async function verify(): Promise<void> {
    verifying.value = true;
    try {
      verification.value = await opsApi.verifyAudit();
      error.value = null;
    } catch (err) {
      error.value = err;
    } finally {
      verifying.value = false;
    }
  }

  return { entries, targetId, action, more, loading, error, verification, verifying, load, verify };
});
