import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vitest/config'

// Test files whose assertions count what a search did within its time budget.
const timed = ['tests/integration/auto/auto.test.ts', 'tests/integration/cli/auto.test.ts']

const shared = {
  testTimeout: 30_000,
  hookTimeout: 60_000
}

export default defineConfig({
  // Compiles the renderer's `.svelte.ts` state classes (runes) so their tests run them as the app does.
  plugins: [svelte({ configFile: false })],
  // Svelte's client runtime: $state and $derived behave as in the page.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  test: {
    // Integration tests start worker processes; two at a time suit a 2-core machine.
    maxWorkers: 2,
    // `extends: true`: each project keeps the Svelte plugin and the browser conditions above.
    projects: [
      { extends: true, test: { ...shared, name: 'main', include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'], exclude: ['tests/integration/queue/**', ...timed] } },
      // Searches within a time budget: how much they do in it is what they test, so each runs alone
      // (on a loaded CI machine a 1-minute search beside another file completed 1 Trial, alone 12).
      { extends: true, test: { ...shared, name: 'budget', include: timed, fileParallelism: false, sequence: { groupOrder: 1 } } },
      // The job-queue tests (issue 12) run several worker processes each: they go after the rest,
      // so they never slow another file's timed tests on a small machine.
      { extends: true, test: { ...shared, name: 'queue', include: ['tests/integration/queue/**/*.test.ts'], sequence: { groupOrder: 2 } } }
    ]
  }
})
