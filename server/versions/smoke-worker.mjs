// Worker entry: registers tsx's TypeScript loader in this thread, then runs the smoke worker.
import { register } from 'tsx/esm/api';

register();
await import('./smoke-worker.ts');
