import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import type { Clock } from "../domain/clock.js";
import type { EventInput } from "../events/event-committer.js";
import type { AuthThrottle } from "../http/auth-throttle.js";
import type { Route } from "../http/router.js";
import type { Store } from "../store/store.js";
import type { HookContext } from "./hook-context.js";
import { createHookPublishes } from "./hook-publishes.js";
import { guardedHook } from "./hook-request.js";
import { createMediaMtxHooks } from "./mediamtx-hook.js";
import { createNginxRtmpHook } from "./nginx-rtmp-hook.js";
import { createSrsHook } from "./srs-hook.js";

/**
 * The media-server hook adapters (docs/hooks.md): nginx-rtmp, SRS and MediaMTX hooks become the
 * same push (1), interruption (0) and recording (100) events as OnAir's own ingest, emitted with
 * `source: "hook"`. Every route needs the hook token (config `hookToken`, not the management
 * SecretKey) as `?token=` or a Bearer token; failures are throttled per client address.
 *
 * @example
 * routes: [...createHookRoutes({ store, config, clock, logger, hookToken, commit: events.commit })]
 */
export function createHookRoutes(deps: {
  store: Store;
  config: OnAirConfig;
  clock: Clock;
  logger: Logger;
  hookToken: string;
  /** The shared limiter of failed authentications. */
  throttle?: AuthThrottle | undefined;
  commit: (input: EventInput) => Promise<unknown>;
  /** ffprobe binary for recording durations (default `ffprobe` from PATH). */
  ffprobe?: string;
  /** The signed `/files/` URL serving a recording, or null (see config `hooks.recordingDirs`). */
  fileUrl?: (absolutePath: string) => string | null;
}): Route[] {
  const logger = deps.logger.child({ component: "hooks" });
  const ctx: HookContext = {
    store: deps.store,
    config: deps.config,
    clock: deps.clock,
    logger,
    publishes: createHookPublishes({
      config: deps.config,
      clock: deps.clock,
      logger,
      commit: deps.commit,
      ...(deps.ffprobe ? { ffprobe: deps.ffprobe } : {}),
      ...(deps.fileUrl ? { fileUrl: deps.fileUrl } : {}),
    }),
  };
  const guard = (handler: Route["handler"]) =>
    guardedHook({ token: deps.hookToken, throttle: deps.throttle, logger }, handler);
  const mediamtx = createMediaMtxHooks(ctx);
  return [
    { method: "POST", path: "/hooks/nginx-rtmp", handler: guard(createNginxRtmpHook(ctx)) },
    { method: "POST", path: "/hooks/srs", handler: guard(createSrsHook(ctx)) },
    { method: "POST", path: "/hooks/mediamtx", handler: guard(mediamtx.events) },
    { method: "POST", path: "/hooks/mediamtx/auth", handler: guard(mediamtx.auth) },
  ];
}
