// The smallest real Next.js app: one App Router route handler using @onair/callbacks/next.
export default {
  typescript: { ignoreBuildErrors: true },
  outputFileTracingRoot: new URL("../../../../..", import.meta.url).pathname,
};
