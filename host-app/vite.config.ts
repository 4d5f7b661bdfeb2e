/**
 * Vite configuration of the host app: the bank-app shell, merchant portal, ops console and
 * developer center, built to `dist/host-app` and served by the Lily server (`server/static.ts`).
 *
 * `vite --config host-app/vite.config.ts` serves it with hot reloading and forwards the API and
 * the socket.io bridge to a Lily server on port 3000 (`LILY_DEV_SERVER` to change).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';
import { precompiledManifestValidator } from './build/manifest-validator.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const backend = process.env.LILY_DEV_SERVER ?? 'http://localhost:3000';

export default defineConfig({
  root: here,
  base: '/',
  plugins: [precompiledManifestValidator(), vue()],
  resolve: { alias: { '@': path.join(here, 'src'), crypto: path.join(here, 'build/crypto-shim.ts') } },
  build: {
    outDir: path.resolve(here, '../dist/host-app'),
    emptyOutDir: true,
    target: 'es2022',
    // Every asset is a file of its own: the CSP allows no inline data for scripts or wasm.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  worker: { format: 'es', plugins: () => [precompiledManifestValidator()] },
  server: {
    proxy: {
      '/api': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
});
