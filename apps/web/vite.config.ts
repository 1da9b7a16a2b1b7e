import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * `base: './'`: asset URLs are relative, so the server can serve dist/ under any prefix (index.html
 * sets <base> at runtime). `npm run dev` proxies /api to a console server (MESHLENS_API, default
 * http://127.0.0.1:20001). Build with `--mode test` to expose `window.__cy` for Playwright.
 */
export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: process.env.MESHLENS_API ?? 'http://127.0.0.1:20001', changeOrigin: true } },
  },
});
