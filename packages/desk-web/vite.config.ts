import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Served by the service under /desk/; every file comes from the service itself (no CDN).
export default defineConfig({
  base: '/desk/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
});
