import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Compiles the renderer's `.svelte.ts` state classes (runes) so their tests run them as the app does.
  plugins: [svelte({ configFile: false })],
  // Svelte's client runtime: $state and $derived behave as in the page.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start worker processes; two at a time suit a 2-core machine.
    maxWorkers: 2
  }
})
