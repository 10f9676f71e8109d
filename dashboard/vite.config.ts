// The dashboard's build: static files in dashboard/dist, served by the index API
// (src/indexer/api/dashboard-files.ts) on its own origin. `npm run build` runs it.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // Relative asset paths, so that the files work under any mount point.
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  // `npx vite --config dashboard/vite.config.ts` during development: the API of a running `trellis up` or `trellis indexer`.
  server: { proxy: { '/v1': process.env.TRELLIS_INDEXER_URL ?? 'http://127.0.0.1:8560' } },
});
