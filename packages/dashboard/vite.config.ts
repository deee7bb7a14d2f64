import { defineConfig } from "vite";

/**
 * The app is served by `onair start` under /dashboard/, so every asset URL carries that base.
 * `npm run dev` proxies the API to an OnAir on :8080.
 */
export default defineConfig({
  base: "/dashboard/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      "/dashboard/api": "http://127.0.0.1:8080",
      "/dashboard/session": "http://127.0.0.1:8080",
      "/dashboard/events": "http://127.0.0.1:8080",
      "/files": "http://127.0.0.1:8080",
    },
  },
});
