import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath, URL } from "node:url";
import { defineConfig } from "vitest/config";

// The dev server proxies both APIs so the browser talks to one origin (no CORS, cookies not needed):
// /api/* -> the HTTP API, /ws -> the WebSocket API. Targets are overridable for other ports/hosts.
const apiTarget = process.env.PYBASE_API_URL ?? "http://127.0.0.1:3000";
const wsTarget = process.env.PYBASE_WS_URL ?? "ws://127.0.0.1:3001";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    host: process.env.PYBASE_WEB_HOST ?? "127.0.0.1",
    port: Number(process.env.PYBASE_WEB_PORT ?? 5173),
    strictPort: false,
    proxy: {
      "/api": {
        target: apiTarget,
        changeOrigin: true,
        rewrite: (path) => path.replace(/^\/api/, "") || "/",
      },
      "/ws": {
        target: wsTarget,
        ws: true,
        changeOrigin: true,
        rewrite: (path) => path.replace(/^\/ws/, "") || "/",
      },
    },
  },
  preview: {
    host: process.env.PYBASE_WEB_HOST ?? "127.0.0.1",
    port: Number(process.env.PYBASE_WEB_PORT ?? 4173),
  },
  build: {
    target: "es2022",
    sourcemap: true,
  },
  test: {
    environment: "jsdom",
    globals: false,
    setupFiles: ["./src/testing/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    // openapi-fetch builds Request objects, which need absolute URLs outside a browser.
    env: { VITE_API_URL: "http://pybase.test/api" },
  },
});
