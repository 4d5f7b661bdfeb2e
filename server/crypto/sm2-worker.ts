/** An SM2 worker thread: verifies merchants' signatures and signs with the bank key. */
import { parentPort, workerData } from 'node:worker_threads';
import { sm2Sign, sm2Verify } from '../../runtime/crypto/sm.ts';
import type { Sm2Reply, Sm2Task } from './sm2-protocol.ts';

const bank = workerData as { privateKey: string; publicKey: string };
const port = parentPort!;

port.on('message', (task: Sm2Task) => {
  let reply: Sm2Reply;
  try {
    const value = task.op === 'verify' ? sm2Verify(task.message, task.signatureHex, task.publicKey) : sm2Sign(task.message, bank.privateKey, bank.publicKey);
    reply = { id: task.id, value };
  } catch (err) {
    reply = { id: task.id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
