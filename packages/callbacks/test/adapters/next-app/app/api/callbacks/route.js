import { createNextRouteHandler } from "@onair/callbacks/next";

// The test process starts Next in-process and hands the adapter options over through a global,
// so it can count handler calls; the adapter itself runs inside Next's route machinery.
let handler;

export async function POST(request) {
  handler ??= createNextRouteHandler(globalThis.__onairAdapterOptions);
  return handler(request);
}
