import { z } from "zod";
import {
  currentRetryPreset,
  DEPRECATED_RETRY_PRESETS,
  RETRY_PRESETS,
} from "../domain/retry-policy.js";

/** A whole number of at least `min`, `fallback` when unset. */
const atLeast = (min: number, fallback: number) => z.number().int().min(min).default(fallback);

/** A secret people type into config files: 16 characters at least. */
const secret = () =>
  z
    .string()
    .min(16, "must be at least 16 characters (generate one: openssl rand -base64 24)")
    .optional();

/** A group of settings: unknown keys rejected, and all defaults when the group is absent. */
function section<Shape extends z.ZodRawShape>(shape: Shape) {
  // Every field of a section has a default or is optional, so `{}` is a valid input.
  return z
    .object(shape)
    .strict()
    .prefault({} as z.input<z.ZodObject<Shape, z.core.$strict>>);
}

/**
 * The one configuration schema (README.md "Configure it"): defaults with units in one place,
 * unknown keys rejected. `load-config.ts` layers environment → config file → flags onto it,
 * reports every error at once, and freezes the result.
 */
export const configSchema = z
  .object({
    /** HTTP port: API, intake, hooks, files, metrics, dashboard. */
    httpPort: z.number().int().min(0).max(65535).default(8080),
    httpHost: z.string().min(1).default("0.0.0.0"),
    rtmpPort: z.number().int().min(0).max(65535).default(1935),
    rtmpHost: z.string().min(1).default("0.0.0.0"),
    /** SQLite database, recordings and screenshots live here. */
    dataDir: z.string().min(1).default("./data"),
    /** `postgres://…` selects PostgreSQL; unset means SQLite in dataDir. */
    databaseUrl: z.string().url().optional(),
    /** Management credentials (TC3-HMAC-SHA256). Generated and printed on first start when unset. */
    secretId: z.string().min(1).optional(),
    secretKey: secret(),
    /** Bearer token of `POST /v1/events` (not the SecretKey). Generated on first start when unset. */
    intakeToken: secret(),
    /** `?token=` of the media-server hooks (it sits in their config files). Generated when unset. */
    hookToken: secret(),
    /** Callback URLs on private or loopback addresses; link-local/metadata are always refused. */
    callbackAllowPrivate: z.boolean().default(true),
    /** Base URL under which `/files/` is reachable by callback receivers. */
    publicUrl: z.string().url().optional(),
    /** The `appid` put in callbacks. */
    appid: atLeast(0, 1_000_000),
    /** This node's name: lease owner and the `node` of push events. Defaults to host:pid. */
    nodeId: z.string().min(1).optional(),
    logLevel: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
    /** Delivery schedule of templates without their own; `seeds` is a deprecated alias. */
    retryPreset: z
      .enum([...RETRY_PRESETS, ...DEPRECATED_RETRY_PRESETS])
      .default("tencent-intl")
      .transform(currentRetryPreset),
    dispatcher: section({
      /** In-flight attempts on this node. */
      concurrency: z.number().int().min(1).max(1024).default(64),
      /** In-flight attempts per callback origin on this node: a stuck origin's share of `concurrency`. */
      perOriginConcurrency: z.number().int().min(1).max(256).default(16),
      batchSize: z.number().int().min(1).max(1000).default(100),
      /** Lease on a claimed delivery; must exceed the attempt timeout. */
      leaseMs: atLeast(1000, 60_000),
      /** Poll interval when the queue is idle (new events also wake the dispatcher). */
      pollIntervalMs: atLeast(10, 500),
      /** Cap on a `Retry-After` honoured on 429/503. */
      maxRetryAfterMs: atLeast(0, 600_000),
      /** An endpoint failing for this long is disabled (0 = never). */
      disableEndpointAfterMs: atLeast(0, 5 * 24 * 3600_000),
      /** Bytes of a response body kept per attempt. */
      responseSnippetBytes: z.number().int().min(0).max(65536).default(1024),
    }),
    /**
     * Operator alerts (docs/alerts.md): an endpoint disabled or enabled again, a delivery dead,
     * the queue's oldest pending delivery too old. Always shown in the dashboard; POSTed, signed,
     * through the outbox when `url` is set.
     */
    alerts: z
      .object({
        /** Where alerts are POSTed (unset: the dashboard only). */
        url: z.string().url().optional(),
        /** Signs them as a template's CallbackKey signs callbacks (`sign`, `webhook-signature`). */
        key: secret(),
        /** The oldest pending delivery older than this raises the queue-age alert (ms; 0 = never). */
        queueAgeMs: atLeast(0, 15 * 60_000),
        /** How often each node checks the queue's age (ms). */
        checkIntervalMs: atLeast(10, 30_000),
      })
      .strict()
      .refine((a) => !a.url || a.key, {
        message: "alerts.key is required with alerts.url (generate one: openssl rand -base64 24)",
        path: ["key"],
      })
      .prefault({}),
    /** `/metrics` and `/healthz` (docs/security.md). */
    metrics: section({
      /** Bearer token `/metrics` requires (unset = open, as Prometheus scrapes by default). */
      token: z.string().min(16).optional(),
      /** Queue figures (pending, dead, oldest pending) are re-read at most this often, in ms. */
      queueStatsMaxAgeMs: atLeast(0, 10_000),
      /** `/healthz`'s store write probe is re-run at most this often, in ms. */
      writeProbeMaxAgeMs: atLeast(0, 5_000),
    }),
    /** `/files/` (recordings, screenshots): signed URLs unless public (docs/recording.md). */
    files: section({
      /** Serve `/files/` to anyone, without a signature (names are guessable: think twice). */
      public: z.boolean().default(false),
      /**
       * Lifetime of the signed URLs in callbacks and the dashboard, in seconds. 7 days: a
       * receiver may fetch a recording long after the callback, and retries run for days.
       */
      urlTtlSeconds: atLeast(60, 7 * 24 * 3600),
    }),
    ingest: section({
      /** Accept RTMP publishes on rtmpHost:rtmpPort. */
      enabled: z.boolean().default(true),
      /** Push domain of clients that connect by IP without `domain=` (unset: the address itself). */
      defaultDomain: z.string().min(1).optional(),
      /**
       * Publishes to domains not added with AddLiveDomain, accepted without push auth: from
       * anywhere (true), never (false), or only from a publisher on this machine ("loopback").
       */
      allowUnregisteredDomains: z.union([z.boolean(), z.literal("loopback")]).default("loopback"),
      /** Largest RTMP message; larger ends the publish with errcode 7 (Tencent: 1 MB). */
      maxMessageBytes: atLeast(64 * 1024, 1024 * 1024),
      /**
       * Bytes one publishing connection may hold for unfinished chunks and messages (a video
       * frame being reassembled, an audio one beside it); more ends it with errcode 7. Before
       * it publishes a connection may hold 128 KiB and send messages of 64 KiB at most.
       */
      maxPendingBytes: atLeast(256 * 1024, 4 * 1024 * 1024),
      /** The same, across every RTMP connection of this node. */
      maxPendingBytesTotal: atLeast(1024 * 1024, 256 * 1024 * 1024),
      /** Chunk streams one connection may open (encoders use 3 to 8; nginx-rtmp allows 32). */
      maxChunkStreams: z.number().int().min(8).max(65599).default(64),
      /** RTMP connections open at once on this node; more are closed on accept. */
      maxConnections: atLeast(1, 1000),
      /** RTMP connections open at once from one client address. */
      maxConnectionsPerIp: atLeast(1, 32),
      /** No audio or video for this long ends the publish with errcode 8. */
      idleTimeoutMs: atLeast(100, 10_000),
      /** A connection that has not completed the handshake, or has no publish, for this long is closed. */
      handshakeTimeoutMs: atLeast(100, 10_000),
      /**
       * A publisher's socket is read in batches: one read takes many frames (CPU per stream about
       * halves). A socket carrying video (8 KiB or more per interval, about 650 kbit/s at 100 ms)
       * is read every half interval, a slower one every interval; one that brings 48 KiB in half
       * an interval (about 7.9 Mbit/s at 100 ms) is read as data arrives, so HD encoders keep real
       * time. Media and the close are seen at most one hold later (half an interval on a video
       * stream, one interval on a slower one). 0 reads as data arrives.
       */
      readCoalesceMs: z.number().int().min(0).max(500).default(100),
      /**
       * Plain-RTMP sockets are read into one buffer the whole node shares (Node's `onread`), not
       * through 'data' events: about half the CPU per read (docs/ingest.md). false: 'data' events.
       */
      sharedReadBuffer: z.boolean().default(true),
      /**
       * A second publisher of a live stream replaces the first (errcode 21) only when it proved
       * the domain's push key ("replace-authenticated"), always ("replace") or never ("reject");
       * a publisher not allowed to replace is refused (18/601) and the first stays live.
       */
      duplicatePublish: z
        .enum(["replace-authenticated", "replace", "reject"])
        .default("replace-authenticated"),
      /** Third-party publish authorization: must answer 200 within the timeout, else refused. */
      publishHookUrl: z.string().url().optional(),
      publishHookTimeoutMs: atLeast(100, 3000),
      /**
       * Texts of the interruption callback's `errmsg`: Tencent's current ones ("current", Tencent
       * 267/38081 and 267/31083) or the wire texts of its older table ("legacy": `recv rtmp
       * deleteStream`, `recv() return 0`… for errcodes 1–4 and 7), for handlers that match on them.
       */
      errmsgTexts: z.enum(["current", "legacy"]).default("current"),
      /** Longest wait for the picture size before the push callback goes out without it. */
      pushEventWaitMs: atLeast(0, 2000),
      /** Node heartbeat; a node silent for `nodeStaleMs` has its streams reported interrupted. */
      nodeHeartbeatMs: atLeast(100, 5000),
      nodeStaleMs: atLeast(500, 30_000),
      /** How often a node checks for Drop/Forbid requests addressed to its publishers. */
      commandPollMs: atLeast(50, 1000),
      /**
       * RTMPS (RTMP over TLS) beside the RTMP port (docs/relay.md): the same sessions, limits,
       * errcodes and callbacks, publish and play. Off unless enabled; it needs `cert` and `key`
       * (PEM files) or `selfSigned` (a certificate for localhost kept in dataDir/rtmps/).
       */
      rtmps: section({
        enabled: z.boolean().default(false),
        /** 1936 by default (443 would need root and clash with an HTTPS server). */
        port: z.number().int().min(0).max(65535).default(1936),
        /** Unset: rtmpHost. */
        host: z.string().min(1).optional(),
        /** PEM certificate chain and private key files. */
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
        /** Without cert/key: generate (once) a self-signed certificate for local use. */
        selfSigned: z.boolean().default(false),
      }),
    }),
    /**
     * How long event history is kept (docs/scale.md, "Retention"). An event is removed with its
     * deliveries and attempts once all of them are done: delivered longer ago than
     * `deliveredMaxAgeMs`, or dead longer ago than `deadMaxAgeMs`.
     */
    retention: section({
      /**
       * 15 days: Tencent's DescribeCallbackRecordsList answers for the last 14 days only (its
       * EndTime field), and OnAir reads a day further back for the retries of deliveries created
       * before StartTime. 0 keeps all history forever, dead deliveries included.
       */
      deliveredMaxAgeMs: atLeast(0, 15 * 24 * 3600_000),
      /** 0 (the default): dead deliveries stay until redelivered, whatever their age. */
      deadMaxAgeMs: atLeast(0, 0),
      /** How often one node (across nodes sharing a store) sweeps. */
      sweepIntervalMs: atLeast(50, 60_000),
      /**
       * Most events removed per transaction (fewer when a batch takes over 25 ms): small, so
       * dispatch's writes never wait long.
       */
      batchSize: z.number().int().min(1).max(1000).default(200),
      /** Shortest pause between batches (it is at least as long as the batch took). */
      batchPauseMs: atLeast(0, 20),
      /**
       * Viewer statistics (the `play_samples` table) older than this are removed by the same
       * sweep: 31 days, as Tencent's play-info actions answer for the last month (Tencent
       * 267/20390, its EndTime field). 0 keeps them forever.
       */
      playStatsMaxAgeMs: atLeast(0, 31 * 24 * 3600_000),
    }),
    /** Playback: RTMP play on rtmpPort and HTTP-FLV on httpPort (docs/playback.md). */
    playback: section({
      enabled: z.boolean().default(true),
      /**
       * Plays on a domain not added as a play domain (AddLiveDomain DomainType 1), without play
       * auth: from anywhere (true), never (false), or only from a viewer on this machine
       * ("loopback", the default, as for push).
       */
      allowUnregisteredDomains: z.union([z.boolean(), z.literal("loopback")]).default("loopback"),
      /**
       * Bytes a viewer's connection may hold unsent (about 13 s of a 2.5 Mbit/s stream); past
       * it the viewer skips to the next keyframe.
       */
      maxQueuedBytes: atLeast(64 * 1024, 4 * 1024 * 1024),
      /** A viewer still over maxQueuedBytes at this many keyframes in a row is disconnected. */
      maxSkippedKeyframes: atLeast(1, 3),
      /** Largest GOP kept for viewers to start on; a longer one is not cached (they wait for a keyframe). */
      maxGopBytes: atLeast(64 * 1024, 8 * 1024 * 1024),
      /**
       * How often each node writes its viewer statistics to the store, one small batch of rows
       * (docs/playback.md, "Viewer statistics"): a minute, the grain of the play-info actions.
       * Must divide 60000 so that no interval spans two minutes; lower it for tests.
       */
      statsIntervalMs: z
        .number()
        .int()
        .min(1000)
        .max(60_000)
        .refine((ms) => 60_000 % ms === 0, "must divide 60000 (a minute)")
        .default(60_000),
      /** Native HLS and Low-Latency HLS output on httpPort (docs/hls.md). */
      hls: section({
        enabled: z.boolean().default(true),
        /** A segment is cut at the first keyframe once it lasts this long. */
        segmentTargetMs: atLeast(1000, 2000),
        /** A part (LL-HLS partial segment) never lasts longer than this. */
        partTargetMs: atLeast(100, 333),
        /** Complete segments kept and listed per stream. */
        windowSegments: atLeast(2, 6),
        /** Bytes of segments kept per stream at most (the oldest go first). */
        maxBytesPerStream: atLeast(1024 * 1024, 32 * 1024 * 1024),
        /** A stream's HLS output with no request for this long is dropped. */
        idleMs: atLeast(1000, 20_000),
        /** How long a new session's token opens its media playlist and segments, unless in use. */
        tokenTtlSeconds: atLeast(10, 300),
        /**
         * The HMAC key of the session tokens. Unset: a random one per start, so tokens open only
         * the node that issued them; set the same value on every node behind one load balancer.
         */
        tokenSecret: secret(),
      }),
    }),
    /**
     * Forwarding (docs/relay.md): every publish of a push domain + AppName with forward rules is
     * pushed by this node to each rule's target URL for as long as it is live.
     */
    forwarding: section({
      enabled: z.boolean().default(true),
      /** A target that does not answer publish (TCP, TLS, RTMP handshake, commands) in time failed. */
      connectTimeoutMs: atLeast(100, 10_000),
      /** First wait before a failed target is retried; it doubles up to `retryMaxMs`. */
      retryInitialMs: atLeast(10, 1000),
      retryMaxMs: atLeast(10, 30_000),
      /** Bytes a target's connection may hold unsent; past it tags are skipped to the next keyframe. */
      maxQueuedBytes: atLeast(64 * 1024, 4 * 1024 * 1024),
      /** A target still over maxQueuedBytes at this many keyframes in a row is reconnected. */
      maxSkippedKeyframes: atLeast(1, 3),
      /** rtmps:// targets with a certificate that does not verify (self-signed) are accepted. */
      tlsSkipVerify: z.boolean().default(false),
    }),
    /** Several nodes on one PostgreSQL: internal pulls between them (docs/playback.md). */
    cluster: section({
      /**
       * `host` or `host:port` at which the other nodes reach this node's HTTP port (the port
       * defaults to the one it listens on). Unset: httpHost, or this machine's first
       * non-internal IPv4 address when httpHost is a wildcard.
       */
      advertiseAddress: z
        .string()
        .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.:-]+?)(:\d{1,5})?$/, "must be host or host:port")
        .optional(),
      /** An internal pull whose last viewer left lasts this long more, for a viewer reconnecting. */
      pullLingerMs: atLeast(0, 5000),
      /** An internal pull that gets no answer or no data for this long is ended. */
      pullTimeoutMs: atLeast(100, 10_000),
    }),
    recording: section({
      /** ffmpeg for MP4 and HLS recording (Debian's package; FLV needs none). */
      ffmpegPath: z.string().min(1).default("ffmpeg"),
      /** ffprobe, for the duration of MP4 files recovered after a crash. */
      ffprobePath: z.string().min(1).default("ffprobe"),
      /** How often files past their template's StorageTime are deleted. */
      sweepIntervalMs: atLeast(50, 60_000),
      /** Shortest RecordInterval a template may set (Tencent: 60 s); lower it for tests. */
      minIntervalSeconds: atLeast(1, 60),
      /** Bytes of a recorder's write queue; past it, tags are dropped to the next keyframe. */
      maxQueuedBytes: atLeast(64 * 1024, 16 * 1024 * 1024),
    }),
    snapshot: section({
      /** ffmpeg that decodes one JPEG per screenshot (Debian's package). */
      ffmpegPath: z.string().min(1).default("ffmpeg"),
      /**
       * Shortest SnapshotInterval CreateLiveSnapshotTemplate accepts (Tencent 267/32624: 2 s;
       * ModifyLiveSnapshotTemplate's own floor is 5 s); lower it for tests.
       */
      minIntervalSeconds: atLeast(1, 2),
      /** ffmpeg children decoding screenshots at once, across all streams; more ticks skip. */
      maxConcurrent: atLeast(1, 4),
      /** An ffmpeg child still running after this is killed and the screenshot counted failed. */
      timeoutMs: atLeast(100, 10_000),
    }),
    /** Pull-and-relay tasks, CreateLivePullStreamTask (docs/pull-tasks.md). */
    pullTasks: section({
      /** Run tasks on this node (false: the API still manages them; other nodes run them). */
      enabled: z.boolean().default(true),
      /** ffmpeg that pulls each source and pushes to each target (Debian's package). */
      ffmpegPath: z.string().min(1).default("ffmpeg"),
      /** ffprobe, for the duration of each file (the `duration` of VodSourceFileStart). */
      ffprobePath: z.string().min(1).default("ffprobe"),
      /** Tasks that may exist at once (Tencent's default quota: 200, LimitTaskNum). */
      maxTasks: atLeast(1, 200),
      /** Tasks this node runs at once; the others wait for a node with room. */
      maxRunning: atLeast(1, 20),
      /** How often each node looks for tasks to start, stop or hand over (ms). */
      pollMs: atLeast(50, 1000),
      /** A task's lease: a node silent this long loses its tasks to another (ms). */
      leaseMs: atLeast(500, 15_000),
      /** A source that sends no media for this long is restarted (ms). */
      stallMs: atLeast(500, 10_000),
      /** Sources and ToUrl targets on private or loopback addresses (link-local is always refused). */
      allowPrivate: z.boolean().default(true),
    }),
    monitoring: section({
      /** Push statistics (docs/monitoring.md): bitrates and frame rates cover this last span. */
      rateWindowMs: atLeast(1000, 5000),
      /** How often each live stream's figures are kept for DescribeStreamPushInfoList (Tencent: per minute). */
      historySampleMs: atLeast(100, 60_000),
      /** How long those samples are kept (in memory), and for how many stream names at most. */
      historyWindowMs: atLeast(60_000, 3 * 3600_000),
      historyMaxStreams: atLeast(1, 1000),
      /** Push exceptions (321): one report per stream and interval, only when something happened (Tencent's sample: 5000). */
      pushExceptionIntervalMs: atLeast(100, 5000),
      /** Frames of one kind arriving further apart than this are a gap, types 6 and 7 (Tencent 267/53310: 3 s). */
      frameGapMs: atLeast(100, 3000),
    }),
    moderation: section({
      /**
       * Porn detection (event 317) on screenshots of templates with PornFlag 1. Needs the optional
       * package `@onair/moderation` (packages/moderation/README.md).
       */
      enabled: z.boolean().default(false),
      model: z.enum(["MobileNetV2", "MobileNetV2Mid", "InceptionV3"]).default("MobileNetV2"),
      /** Screenshots waiting for the classifier; when full, the oldest is dropped and counted. */
      queueSize: z.number().int().min(1).max(1000).default(8),
      /** Scores (0–100) at or above which a screenshot is a hit: Porn → Block, Sexy → Review. */
      pornThreshold: z.number().min(0).max(100).default(70),
      sexyThreshold: z.number().min(0).max(100).default(85),
    }),
    /** How long a replaced CallbackKey still signs `webhook-signature` (key rotation overlap). */
    keyRotationOverlapMs: atLeast(0, 24 * 3600_000),
    api: section({
      /**
       * Refuse TC3 signatures that leave `x-tc-action` unsigned. Off by default because
       * tencentcloud-sdk-nodejs 4.x signs only content-type;host.
       */
      requireSignedAction: z.boolean().default(false),
      /** Signatures remembered for replay refusal (entries, ~150 bytes each); full → RequestLimitExceeded. */
      replayCacheSize: atLeast(100, 100_000),
      /**
       * A signature seen again within this long of its first use, from the same client
       * address, is the SDK sending two calls with the same body in one second (ms; 0 = never).
       */
      replayGraceMs: z.number().int().min(0).max(10_000).default(2000),
      /**
       * Domains AddLiveDomain may add in all (Tencent's quota: 100, FailedOperation.HostOutLimit);
       * DescribeLiveDomains' CreateLimitCount is what is left.
       */
      maxDomains: atLeast(1, 100),
    }),
    http: section({
      /** Open HTTP connections at most (node's server.maxConnections); more are closed at once. */
      maxConnections: atLeast(1, 1024),
      /** Time to receive the request headers (ms). */
      headersTimeoutMs: atLeast(100, 20_000),
      /** Time to receive the whole request (ms). */
      requestTimeoutMs: atLeast(100, 60_000),
      /** Longest silence between two body reads (ms), like nginx's client_body_timeout; then 408. */
      bodyTimeoutMs: atLeast(50, 10_000),
      /**
       * Bytes buffered at once across all bodies not yet authenticated (API bodies before the
       * signature check, sign-in), beyond the first 16 KiB of each; past it, 503.
       */
      maxUnauthenticatedBodyBytes: atLeast(64 * 1024, 64 * 1024 * 1024),
      /** Take the client address from the last X-Forwarded-For entry (only behind your own proxy). */
      trustForwardedFor: z.boolean().default(false),
    }),
    /** Media-server hooks (docs/hooks.md). */
    hooks: section({
      /**
       * Folders the media servers write recordings to (nginx-rtmp `record_path`, SRS
       * `dvr_path`, MediaMTX `recordPath`), served read-only under `/files/hooks/<index>/` so a
       * hooked recording's `video_url` is an http(s) URL like a native one. Recordings under
       * `<dataDir>/files/` need no entry.
       */
      recordingDirs: z.array(z.string().min(1)).max(16).default([]),
    }),
    /** Throttle of failed authentications (API, intake, hooks, dashboard), per client address. */
    authThrottle: section({
      /** Failures per client address within windowMs before it is blocked. */
      maxFailuresPerClient: atLeast(1, 30),
      /** Failures per client address and credential id (SecretId) within windowMs. */
      maxFailuresPerCredential: atLeast(1, 10),
      /** Window over which failures are counted (ms). */
      windowMs: atLeast(100, 60_000),
      /** First block (ms); each further block of the same client doubles, up to maxBlockMs. */
      blockMs: atLeast(100, 60_000),
      maxBlockMs: atLeast(100, 3_600_000),
      /** Clients tracked at most (least recently seen dropped first). */
      maxClients: atLeast(100, 10_000),
    }),
    /** Deepest nesting of arrays and objects in a JSON body of the API, intake and dashboard (levels). */
    maxJsonDepth: z.number().int().min(8).max(1000).default(64),
    /** Largest request body of the management API and intake. */
    maxRequestBytes: atLeast(1024, 1024 * 1024),
  })
  .strict();

export type OnAirConfig = Readonly<z.infer<typeof configSchema>>;
