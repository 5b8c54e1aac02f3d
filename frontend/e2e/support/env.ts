import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through tests/e2e/test_web_e2e.py`);
  return value.replace(/\/$/, "");
}

const repository = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The web app (vite preview of the build, /api and /ws proxied to the stack). */
export const webUrl = required("PYBASE_E2E_WEB_URL");
/** The HTTP API itself, for setting up data and checking what the server refuses. */
export const apiUrl = required("PYBASE_E2E_API_URL");
/** Screenshots land here on every run; with PYBASE_UPDATE_SCREENSHOTS=1 also in docs/screenshots (the README's). */
export const artifactsDir = process.env.PYBASE_E2E_ARTIFACTS ?? resolve(repository, ".pybase/test-artifacts");
export const docsScreenshotsDir = resolve(repository, "docs/screenshots");
export const updateScreenshots = process.env.PYBASE_UPDATE_SCREENSHOTS === "1";
