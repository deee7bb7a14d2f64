import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { createApiRoute } from "./api/api-route.js";
import { resolveCredentials } from "./config/credentials.js";
import type { OnAirConfig } from "./config/schema.js";
import { createDashboard } from "./dashboard/index.js";
import { createDispatcher } from "./dispatcher/dispatcher.js";
import { createHistorySweep } from "./dispatcher/history-sweep.js";
import { createOperatorAlerts } from "./dispatcher/operator-alerts.js";
import { startQueueAgeMonitor } from "./dispatcher/queue-age-monitor.js";
import { type Clock, systemClock } from "./domain/clock.js";
import { newId } from "./domain/ids.js";
import { createEventCommitter } from "./events/event-committer.js";
import { createPullTaskRunner, type PullTaskRunner } from "./events/pull-tasks/pull-task-runner.js";
import { createRelayCallbacks } from "./events/pull-tasks/relay-callbacks.js";
import type { StreamConsumerDeps } from "./events/stream-consumer-deps.js";
import { createForwardService } from "./forwarding/forward-service.js";
import { createHookRoutes } from "./hooks/index.js";
import { createAuthThrottle } from "./http/auth-throttle.js";
import { encodeFilesPath, type FileMount, mountedPath } from "./http/file-mounts.js";
import { createFileRoute } from "./http/file-route.js";
import { createBodyBudget } from "./http/read-body.js";
import { createHttpServer } from "./http/router.js";
import { type FileAccess, fileUrlQuery as signedFileUrlQuery } from "./http/signed-file-url.js";
import { rtmpConnectionLimits } from "./ingest/rtmp-limits.js";
import { type RtmpServer, startRtmpServer } from "./ingest/rtmp-server.js";
import { loadRtmpsCredentials } from "./ingest/rtmps-credentials.js";
import { createIntakeRoute } from "./intake/intake-route.js";
import { startModerationService } from "./moderation/moderation-service.js";
import { createPushMonitor } from "./monitoring/push-monitor.js";
import { registerForwardMetrics } from "./observability/forward-metrics.js";
import { createHealthRoute, createMetricsRoute } from "./observability/health-routes.js";
import { registerHlsMetrics } from "./observability/hls-metrics.js";
import { createLogger } from "./observability/logger.js";
import {
  countNodeEvents,
  createMetrics,
  registerHttpBodyMetrics,
  registerMediaMetrics,
  registerPlaybackMetrics,
  registerPushMetrics,
  registerRtmpMetrics,
} from "./observability/metrics.js";
import { createNodeEvents } from "./observability/node-events.js";
import { rateLimitedLog } from "./observability/rate-limited-log.js";
import { registerRelayMetrics } from "./observability/relay-metrics.js";
import { advertisedHttpAddress } from "./playback/advertise-address.js";
import { createHlsRoute } from "./playback/hls/hls-route.js";
import { HlsStreams } from "./playback/hls/hls-streams.js";
import { newHlsSecret } from "./playback/hls/hls-token.js";
import { createHttpFlvRoute } from "./playback/http-flv-route.js";
import { createPlaySampler } from "./playback/play-sampler.js";
import { createPlaybackService } from "./playback/playback-service.js";
import { createRecordingService } from "./recording/recording-service.js";
import { createSnapshotService } from "./snapshots/snapshot-service.js";
import { secureDataDir } from "./store/data-dir.js";
import { openStore } from "./store/open-store.js";
import type { Store } from "./store/store.js";
import { createStreamService, type StreamService } from "./streams/stream-service.js";

/** A running OnAir node. */
export interface OnAir {
  /** The HTTP port actually bound (useful with port 0). */
  httpPort: number;
  /** The RTMP port actually bound; null when ingest is disabled. */
  rtmpPort: number | null;
  /** The RTMPS port actually bound; null when ingest or RTMPS is disabled. */
  rtmpsPort: number | null;
  /** The management SecretId in use (configured, saved or generated on this start). */
  secretId: string;
  /** Commits events as every source does (tests and benches inject through it). */
  events: ReturnType<typeof createEventCommitter>;
  store: Store;
  streams: StreamService;
  /** This node's pull-and-relay task runner; null with `pullTasks.enabled` false. */
  pullTasks: PullTaskRunner | null;
  stop(): Promise<void>;
}

/**
 * The composition root: the only place that knows every module. Opens the store, resolves the
 * management credentials, starts the dispatcher and the HTTP server.
 */
export async function startOnAir(
  config: OnAirConfig,
  options: { logger?: Logger; clock?: Clock } = {},
): Promise<OnAir> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const nodeId = config.nodeId ?? `${hostname()}:${process.pid}`;
  await secureDataDir({ dataDir: config.dataDir, logger });
  const store = await openStore(config, { clock });
  const credentials = await resolveCredentials({
    dataDir: config.dataDir,
    secretId: config.secretId,
    secretKey: config.secretKey,
    intakeToken: config.intakeToken,
    hookToken: config.hookToken,
  });
  if (credentials.generated.length > 0) {
    logger.warn(
      {
        generated: credentials.generated,
        secretId: credentials.secretId,
        file: `${config.dataDir}/credentials.json`,
      },
      "generated secrets: they are in the file named here (shown once on the console)",
    );
    const labels = {
      secretId: "SecretId:    ",
      secretKey: "SecretKey:   ",
      intakeToken: "intakeToken: ",
      hookToken: "hookToken:   ",
    } as const;
    // The files signing key is only ever used by OnAir itself: saved, never shown.
    const lines = credentials.generated
      .filter((name) => name !== "filesSigningKey")
      .map((name) => `  ${labels[name as keyof typeof labels]}${credentials[name]}`);
    if (lines.length > 0)
      process.stderr.write(
        `\nOnAir secrets generated on this start (saved in ${config.dataDir}/credentials.json):\n${lines.join("\n")}\n` +
          "  (the management API and dashboard take SecretId/SecretKey, POST /v1/events the intakeToken as Bearer, the hooks ?token=<hookToken>)\n\n",
      );
  }
  const metrics = createMetrics({
    queue: store.deliveries,
    clock,
    queueStatsMaxAgeMs: config.metrics.queueStatsMaxAgeMs,
  });
  // One bus per node: who listens to what is written in docs/architecture.md.
  const nodeEvents = createNodeEvents((name, err) =>
    logger.error({ err, event: name }, "a node event listener failed"),
  );
  countNodeEvents(metrics, nodeEvents);
  nodeEvents.on("callback.url-missing", (m) =>
    logger.warn(
      {
        templateId: m.templateId,
        eventType: m.eventType,
        urlField: m.urlField,
        stream: `${m.domainName}/${m.appName}/${m.streamId}`,
      },
      `callback template ${m.templateId} (${m.templateName}) has no ${m.urlField}: events of type ${m.eventType} are stored but not sent (warned once per template and type)`,
    ),
  );
  // What the node's services work with.
  const node = { store, config, clock, logger, metrics, nodeId, nodeEvents };
  // Operator alerts (docs/alerts.md): the dispatcher, the API and the queue-age check raise them.
  const alerts = createOperatorAlerts({ ...node, newId });
  const dispatcher = createDispatcher({ ...node, alerts });
  const historySweep = createHistorySweep(node);
  // Fresh deliveries go to this node's dispatcher leased at commit, without a claim.
  const events = createEventCommitter({
    store,
    config,
    clock,
    newId,
    nodeEvents,
    handoff: dispatcher,
  });
  const filesDir = join(config.dataDir, "files");
  let httpPort = 0;
  // Where callback receivers fetch recordings and screenshots.
  const publicBaseUrl = () =>
    config.publicUrl?.replace(/\/$/, "") ??
    `http://${config.httpHost === "0.0.0.0" || config.httpHost === "::" ? "127.0.0.1" : config.httpHost}:${httpPort}`;
  const moderation = config.moderation.enabled
    ? await startModerationService({
        config,
        logger,
        commit: events.commit,
        now: () => clock.now().getTime(),
      })
    : null;
  // `/files/`: signed URLs unless files.public (docs/recording.md, "Fetching files").
  const fileAccess: FileAccess = config.files.public
    ? { public: true }
    : {
        public: false,
        key: credentials.filesSigningKey,
        ttlSeconds: config.files.urlTtlSeconds,
        now: () => clock.now().getTime(),
      };
  const fileUrlQuery = (path: string) => signedFileUrlQuery(fileAccess, path);
  const fileRoute = createFileRoute({
    root: filesDir,
    prefix: "/files/",
    access: fileAccess,
    onRefused: rateLimitedLog(
      logger,
      "warn",
      "/files/: request without a valid signature refused with 403",
      60_000,
    ),
  });
  // The media servers' recording folders, each served under /files/hooks/<index>/ (docs/hooks.md).
  const fileMounts: FileMount[] = [
    { dir: filesDir, prefix: "" },
    ...config.hooks.recordingDirs.map((dir, i) => ({ dir, prefix: `hooks/${i}/` })),
  ];
  const hookFileRoutes = fileMounts.slice(1).flatMap((mount) => {
    const handler = createFileRoute({
      root: mount.dir,
      prefix: `/files/${mount.prefix}`,
      signedPrefix: mount.prefix,
      access: fileAccess,
    });
    const path = `/files/${mount.prefix}`;
    return [
      { method: "GET" as const, path, handler },
      { method: "HEAD" as const, path, handler },
    ];
  });
  const hookFileUrl = (absolutePath: string): string | null => {
    const path = mountedPath(fileMounts, absolutePath);
    return path === null
      ? null
      : `${publicBaseUrl()}/files/${encodeFilesPath(path)}${fileUrlQuery(path)}`;
  };
  // What recording and screenshots both need: the node's bus, where files go, how URLs are made.
  const streamConsumerDeps: StreamConsumerDeps = {
    store,
    commit: events.commit,
    config,
    clock,
    logger,
    events: nodeEvents,
    filesDir,
    publicBaseUrl,
    fileUrlQuery,
  };
  const recording = createRecordingService({
    ...streamConsumerDeps,
    onFailure: (format) => metrics.recordingFailures.inc({ format }),
  });
  const snapshots = createSnapshotService({
    ...streamConsumerDeps,
    // Porn detection (317) for templates with PornFlag 1, when the optional classifier is enabled.
    onSnapshot: (shot) =>
      shot.template.pornFlag === 1 && moderation
        ? moderation.check({
            jpeg: shot.jpeg,
            imgUrl: shot.url,
            screenshotTime: Math.floor(shot.takenAt.getTime() / 1000),
            domainName: shot.domainName,
            appName: shot.appName,
            streamName: shot.streamName,
            streamParam: shot.streamParam,
            sequence: shot.sequence,
          })
        : undefined,
  });
  registerMediaMetrics(metrics, {
    snapshots: () => snapshots.counters(),
    moderationDropped: () => moderation?.dropped ?? null,
  });
  // Push statistics and 321 push exceptions of every live stream (docs/monitoring.md).
  const pushInfo = createPushMonitor({
    config,
    clock,
    logger,
    events: nodeEvents,
    commit: events.commit,
  });
  registerPushMetrics(metrics, pushInfo.live);
  // Playback attaches on "publish.started" like recording: RTMP play and HTTP-FLV (docs/playback.md).
  const playback = config.playback.enabled
    ? createPlaybackService({ store, config, clock, logger, events: nodeEvents, nodeId })
    : null;
  if (playback) {
    registerPlaybackMetrics(metrics, playback.stats);
    registerRelayMetrics(metrics, playback.cluster);
  }
  // Each node's viewer statistics go to the store, where the play-info actions add the nodes up.
  const playSampler = playback
    ? createPlaySampler({
        store,
        stats: playback.stats,
        nodeId,
        intervalMs: config.playback.statsIntervalMs,
        clock,
        logger,
      })
    : null;
  // Forwarding attaches on "publish.started" like recording (docs/relay.md).
  const forwards = config.forwarding.enabled
    ? createForwardService({
        store,
        events: nodeEvents,
        clock,
        logger,
        settings: config.forwarding,
      })
    : null;
  if (forwards) registerForwardMetrics(metrics, forwards);
  // HLS and LL-HLS from the same fan-out, segmented in process (docs/hls.md).
  const hlsConfig = config.playback.hls;
  const hls =
    playback && hlsConfig.enabled
      ? new HlsStreams({
          playback,
          options: {
            segmentTargetMs: hlsConfig.segmentTargetMs,
            partTargetMs: hlsConfig.partTargetMs,
            windowSegments: hlsConfig.windowSegments,
            maxBytes: hlsConfig.maxBytesPerStream,
            idleMs: hlsConfig.idleMs,
          },
          nowMs: () => clock.now().getTime(),
          logger,
        })
      : null;
  if (hls) registerHlsMetrics(metrics, hls);
  const streams = createStreamService({ ...node, commit: events.commit });
  // One limiter of failed authentications for the API, intake, hooks and dashboard.
  const throttle = createAuthThrottle({
    ...config.authThrottle,
    trustForwardedFor: config.http.trustForwardedFor,
    logger,
    now: () => clock.now().getTime(),
  });

  const hlsHandler =
    playback && hls
      ? createHlsRoute({
          playback,
          streams: hls,
          secret: hlsConfig.tokenSecret ?? newHlsSecret(),
          tokenTtlMs: hlsConfig.tokenTtlSeconds * 1000,
          nowMs: () => clock.now().getTime(),
          clientIp: (req) => throttle.clientIp(req),
        })
      : null;
  const hlsRoutes = hlsHandler
    ? ["*.m3u8", "*.m4s", "*.mp4"].map((path) => ({
        method: "GET" as const,
        path,
        handler: hlsHandler,
      }))
    : [];
  const bodyBudget = createBodyBudget({ maxBytes: config.http.maxUnauthenticatedBodyBytes });
  registerHttpBodyMetrics(metrics, bodyBudget);
  // The management API and the dashboard act on the same things.
  const management = {
    store,
    config,
    clock,
    logger,
    credentials,
    nodeEvents,
    streams,
    throttle,
    alerts,
    pushInfo,
    forwards: forwards ?? undefined,
  };
  const api = createApiRoute(management);
  const dashboard = createDashboard({
    ...management,
    filesDir,
    fileUrlQuery,
    rtmpPort: () => rtmp?.port ?? null,
    viewers: playback?.stats,
  });
  const server: Server = createHttpServer({
    logger,
    limits: {
      maxConnections: config.http.maxConnections,
      headersTimeoutMs: config.http.headersTimeoutMs,
      requestTimeoutMs: config.http.requestTimeoutMs,
      bodyTimeoutMs: config.http.bodyTimeoutMs,
      bodyBudget,
    },
    routes: [
      { method: "POST", path: "/", handler: api },
      // A browser opening the bare address wants the dashboard (the API is POST-only).
      {
        method: "GET",
        path: "/",
        handler: async (_req, res) => {
          res.writeHead(302, { location: "/dashboard/" });
          res.end();
        },
      },
      {
        method: "POST",
        path: "/v1/events",
        handler: createIntakeRoute({
          token: credentials.intakeToken,
          throttle,
          maxRequestBytes: config.maxRequestBytes,
          maxJsonDepth: config.maxJsonDepth,
          logger,
          commit: events.commit,
          onStorageFull: (
            (log) => (err: unknown) =>
              log({ error: err instanceof Error ? err.message : String(err) })
          )(
            rateLimitedLog(
              logger,
              "error",
              "intake: storage full, events refused with 503",
              60_000,
            ),
          ),
        }),
      },
      ...createHookRoutes({
        store,
        config,
        clock,
        logger,
        hookToken: credentials.hookToken,
        throttle,
        commit: events.commit,
        fileUrl: hookFileUrl,
      }),
      // Before /files/ itself: the first route whose prefix matches serves.
      ...hookFileRoutes,
      {
        method: "GET",
        path: "/files/",
        handler: fileRoute,
      },
      {
        method: "HEAD",
        path: "/files/",
        handler: fileRoute,
      },
      ...dashboard.routes,
      // `/AppName/StreamName.flv`: after every exact and prefix route, so none is shadowed.
      ...(playback
        ? [
            {
              method: "GET" as const,
              path: "*.flv",
              handler: createHttpFlvRoute({ playback, clientIp: (req) => throttle.clientIp(req) }),
            },
          ]
        : []),
      // `/AppName/StreamName.m3u8`, `/AppName/StreamName/…`: suffix routes too (docs/hls.md).
      ...hlsRoutes,
      {
        method: "GET",
        path: "/healthz",
        handler: createHealthRoute({
          storage: store,
          nodeId,
          clock,
          logger,
          writeProbeMaxAgeMs: config.metrics.writeProbeMaxAgeMs,
        }),
      },
      {
        method: "GET",
        path: "/metrics",
        handler: createMetricsRoute({ metrics, token: config.metrics.token, logger }),
      },
    ],
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.httpPort, config.httpHost, () => resolve());
  });
  httpPort = (server.address() as AddressInfo).port;
  // Where the other nodes pull this node's publishes from (docs/playback.md, "Several nodes").
  await playback?.cluster.advertise(
    advertisedHttpAddress({
      configured: config.cluster.advertiseAddress,
      httpHost: config.httpHost,
      httpPort,
    }),
  );
  dispatcher.start();
  historySweep.start();
  playSampler?.start();
  const queueAge = startQueueAgeMonitor({
    store,
    clock,
    logger,
    alerts,
    thresholdMs: config.alerts.queueAgeMs,
    checkIntervalMs: config.alerts.checkIntervalMs,
  });
  await recording.recover();
  recording.startSweeper();
  await streams.start();
  let rtmp: RtmpServer | null = null;
  if (config.ingest.enabled) {
    const rtmps = config.ingest.rtmps;
    const credentials = rtmps.enabled
      ? await loadRtmpsCredentials({
          cert: rtmps.cert,
          key: rtmps.key,
          selfSigned: rtmps.selfSigned,
          dataDir: config.dataDir,
          now: clock.now(),
        })
      : null;
    if (credentials) {
      logger.info(
        { source: credentials.source, fingerprint: credentials.fingerprint },
        "RTMPS certificate",
      );
    }
    rtmp = await startRtmpServer({
      host: config.rtmpHost,
      port: config.rtmpPort,
      ...(credentials
        ? {
            rtmps: {
              host: rtmps.host ?? config.rtmpHost,
              port: rtmps.port,
              cert: credentials.cert,
              key: credentials.key,
            },
          }
        : {}),
      publishHost: streams,
      ...(playback ? { play: { host: playback, policy: playback.policy } } : {}),
      logger,
      session: {
        limits: rtmpConnectionLimits(config.ingest),
        idleTimeoutMs: config.ingest.idleTimeoutMs,
        handshakeTimeoutMs: config.ingest.handshakeTimeoutMs,
        defaultDomain: config.ingest.defaultDomain ?? null,
      },
      connections: {
        maxConnections: config.ingest.maxConnections,
        maxConnectionsPerIp: config.ingest.maxConnectionsPerIp,
        maxPendingBytesTotal: config.ingest.maxPendingBytesTotal,
      },
      readCoalesceMs: config.ingest.readCoalesceMs,
      sharedReadBuffer: config.ingest.sharedReadBuffer,
      now: () => clock.now().getTime(),
    });
    const server = rtmp;
    registerRtmpMetrics(metrics, () => server.stats());
  }
  const rtmpPort = rtmp?.port ?? null;
  // Pull tasks push to this node's own ingest on loopback (docs/pull-tasks.md).
  const rtmpServer = rtmp;
  const pullTasks = config.pullTasks.enabled
    ? createPullTaskRunner({
        store,
        callbacks: createRelayCallbacks({
          store,
          commit: events.commitTo,
          clock,
          appid: config.appid,
          logger,
        }),
        settings: config.pullTasks,
        clock,
        logger,
        nodeId,
        rtmpAddress: () =>
          rtmpServer ? { host: loopbackFor(config.rtmpHost), port: rtmpServer.port } : null,
      })
    : null;
  pullTasks?.start();
  const rtmpsPort = rtmp?.rtmpsPort ?? null;
  logger.info({ httpPort, rtmpPort, rtmpsPort, store: store.kind, node: nodeId }, "OnAir started");
  return {
    httpPort,
    rtmpPort,
    rtmpsPort,
    secretId: credentials.secretId,
    events,
    store,
    streams,
    pullTasks,
    async stop() {
      // Pull tasks end first (their pushes into this node unpublish), then the publishes (their
      // interruptions commit), then the listeners and the queue.
      await pullTasks?.stop();
      await streams.stop();
      forwards?.stop();
      await pushInfo.stop();
      hls?.stop();
      playback?.stop();
      await playSampler?.stop();
      await recording.drain();
      await snapshots.drain();
      await moderation?.stop();
      await rtmp?.close();
      dashboard.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await historySweep.stop();
      await queueAge.stop();
      await dispatcher.stop();
      await store.close();
      logger.info("OnAir stopped");
    },
  };
}

/** The address a pusher on this machine reaches the RTMP listener at. */
function loopbackFor(host: string): string {
  return host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
}
