// Worker entry: registers tsx's TypeScript loader in this thread, then runs the SM2 worker.
import { register } from 'tsx/esm/api';

register();
await import('./sm2-worker.ts');
