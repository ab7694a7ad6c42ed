// Builds the renderer: the operator console (index.html) and the small field-device page (field.html).
// The hub serves dist/renderer at `/` and field.html at `/field`, so asset paths are relative (base './').
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// No node:* imports here: the lint rule for renderer/ treats every file in it as browser code.
const here = (p: string) => `${import.meta.dirname}/${p}`;

export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [react()],
  resolve: {
    // The offline basemap (OSM GeoJSON) lives in resources/, outside the renderer root.
    alias: { '@basemap': here('../resources/basemap') },
  },
  server: { fs: { allow: [here('..')] } },
  build: {
    outDir: here('../dist/renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: { index: here('index.html'), field: here('field.html') },
      output: {
        // maplibre's worker ships as .mjs; servers that do not know that extension send it with a type
        // browsers refuse for module workers, so it is emitted as .js.
        assetFileNames: (a) => (a.names.some((n) => n.endsWith('.mjs')) ? 'assets/[name]-[hash].js' : 'assets/[name]-[hash][extname]'),
      },
    },
  },
});
