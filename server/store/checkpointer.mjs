// The embedded store's checkpointer, on a worker thread: copies committed pages from the WAL into
// the database file (and flushes both) with a connection of its own, so that this disk work never
// blocks the event loop. PASSIVE checkpoints never wait for or block the writer.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData;
const db = new Database(file);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');

let running = true;
const round = () => {
  if (!running) return;
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ type: 'checkpoint', log: result.log, checkpointed: result.checkpointed });
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
const timer = setInterval(round, intervalMs);

parentPort.on('message', (message) => {
  if (message === 'close') {
    running = false;
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
