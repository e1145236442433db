import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Pipelines import "gantry"; executed in tests, that must be this checkout's source.
    alias: { gantry: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/temp-cleanup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Vitest's default is one worker per core less one: a single worker on CI's 2 cores. Many files
    // mostly wait on CLI subprocesses and loopback servers, so a second worker overlaps them
    // (the whole suite on 2 cores: about 7 minutes with one worker, about 4 with two).
    maxWorkers: Math.max(availableParallelism() - 1, 2),
  },
});
