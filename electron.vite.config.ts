import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

// Non-default folders (src-main, src-preload, src-renderer) need explicit entries.
export default defineConfig({
  main: {
    build: {
      lib: {
        entry: {
          index: resolve('src-main/index.ts'), // Electron entry
          cli: resolve('src-main/cli.ts'), // `osprey` command line (bin/osprey.mjs)
          worker: resolve('src-main/jobs/worker.ts'), // job worker process
          'loader-worker': resolve('src-main/pipeline/loader-worker.ts'), // batch-making thread of a training worker
          'data-parallel-helper': resolve('src-main/engine/wasm/data-parallel-helper.ts') // second model replica of a training worker
        }
      },
      // Native and heavy packages stay in node_modules.
      // bullmq reads its Lua scripts from its own folder at run time.
      rollupOptions: { external: ['better-sqlite3', 'sharp', 'ws', 'electron', 'bullmq', 'ioredis'] }
    }
  },
  preload: {
    // A sandboxed preload must be CommonJS.
    build: {
      lib: { entry: resolve('src-preload/index.ts'), formats: ['cjs'] },
      rollupOptions: { output: { entryFileNames: '[name].cjs' } }
    }
  },
  renderer: {
    root: resolve('src-renderer'),
    build: { rollupOptions: { input: resolve('src-renderer/index.html') } },
    plugins: [svelte({ configFile: resolve('svelte.config.js') })]
  }
})
