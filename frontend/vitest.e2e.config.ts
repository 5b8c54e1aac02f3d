// Browser end-to-end tests (e2e/*.e2e.ts): playwright-core driving the Chromium of @sparticuz/chromium
// against a running stack. Started by tests/e2e/test_web_e2e.py (make test), which builds the app, serves
// it with `vite preview` (proxying /api and /ws to serverless offline) and passes the URLs in
// PYBASE_E2E_WEB_URL / PYBASE_E2E_API_URL.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    // One browser at a time: the machine running the suite has two cores shared with the whole stack.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 60_000,
    reporters: ["verbose"],
  },
});
