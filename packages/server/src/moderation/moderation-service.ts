import { buildPornDetectionEvent, type ModerationFacts } from "@onair/callbacks";
import type { Logger } from "pino";
import type { OnAirConfig } from "../config/schema.js";
import { OnAirError } from "../errors.js";
import type { EventInput } from "../events/event-committer.js";

/**
 * Porn detection (event_type 317, Tencent's image-moderation callback, "Live Broadcasting Image
 * Audit Event Notification", tencentcloud.com/document/product/267/38084) for screenshots, with the
 * optional `@onair/moderation` package (nsfwjs in a worker thread, offline). It is loaded only when
 * `moderation.enabled`; enabled but not installed is a start-up error that says how to install
 * it. The classifier's bounded queue drops the oldest screenshots when it falls behind, so it can
 * never stall ingest or delivery; drops are counted.
 */

/** What the server uses of @onair/moderation (a separate install, so typed locally). */
interface Scores {
  Drawing: number;
  Hentai: number;
  Neutral: number;
  Porn: number;
  Sexy: number;
}
/** The classifier's verdict is exactly the moderation part of the 317 builder's facts. */
type Verdict = Pick<
  ModerationFacts,
  "label" | "subLabel" | "score" | "suggestion" | "labelResults"
>;
interface ModerationModule {
  createClassifier(options: {
    model?: string;
    queueSize?: number;
    onDebug?: (message: string) => void;
  }): {
    classify(jpeg: Uint8Array): Promise<Scores | null>;
    readonly dropped: number;
    readonly ready: Promise<{ loadMs: number }>;
    close(): Promise<void>;
  };
  mapToTencent(scores: Scores, thresholds: { porn: number; sexy: number }): Verdict;
}

/**
 * The optional package, by name: an optional peer dependency of `onair`, so npm never installs it
 * unasked. In this repository `scripts/ensure-deps.sh --services` installs and links it. Held in
 * a variable so tsc does not need the package (or its types) to build the server.
 */
const MODULE_NAME: string = "@onair/moderation";

/** One screenshot to check, with the stream facts its 317 callback carries. */
export interface ScreenshotToCheck {
  jpeg: Buffer;
  imgUrl: string;
  /** Unix seconds. */
  screenshotTime: number;
  domainName: string;
  appName: string;
  streamName: string;
  streamParam: string;
  /** The publish's `sequence`, if the screenshot is of one: the 317 waits for its push. */
  sequence?: string | undefined;
}

export interface ModerationService {
  check(screenshot: ScreenshotToCheck): Promise<void>;
  /** Screenshots dropped because the classifier fell behind. */
  readonly dropped: number;
  stop(): Promise<void>;
}

export async function startModerationService(deps: {
  config: OnAirConfig;
  logger: Logger;
  commit: (input: EventInput) => Promise<unknown>;
  now: () => number;
}): Promise<ModerationService> {
  const settings = deps.config.moderation;
  let module: ModerationModule;
  try {
    module = (await import(MODULE_NAME)) as ModerationModule;
  } catch (err) {
    const missing =
      (err as { code?: string }).code === "ERR_MODULE_NOT_FOUND" &&
      String((err as Error).message).includes(MODULE_NAME);
    throw new OnAirError(
      "ONAIR_ERR_CONFIG",
      missing
        ? `moderation.enabled is true but ${MODULE_NAME} is not installed: run \`bash scripts/install-moderation.sh\` in the OnAir repository (packages/moderation/README.md)`
        : `moderation.enabled is true but ${MODULE_NAME} failed to load: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const classifier = module.createClassifier({
    model: settings.model,
    queueSize: settings.queueSize,
    onDebug: (message) => deps.logger.debug({ message }, "moderation model output"),
  });
  const { loadMs } = await classifier.ready;
  deps.logger.info({ model: settings.model, loadMs }, "porn detection ready");
  const thresholds = { porn: settings.pornThreshold, sexy: settings.sexyThreshold };

  return {
    get dropped() {
      return classifier.dropped;
    },
    async check(shot) {
      const scores = await classifier.classify(shot.jpeg);
      if (scores === null) {
        deps.logger.warn(
          { img: shot.imgUrl, dropped: classifier.dropped },
          "screenshot dropped: the classifier is behind",
        );
        return;
      }
      const verdict = module.mapToTencent(scores, thresholds);
      deps.logger.info(
        { img: shot.imgUrl, scores, suggestion: verdict.suggestion },
        "screenshot classified",
      );
      if (verdict.suggestion === "Pass") return;
      await deps.commit({
        body: buildPornDetectionEvent({
          appid: deps.config.appid,
          app: shot.domainName,
          appname: shot.appName,
          stream_id: shot.streamName,
          stream_param: shot.streamParam,
          img: shot.imgUrl,
          screenshotTime: shot.screenshotTime,
          sendTime: Math.floor(deps.now() / 1000),
          label: verdict.label,
          subLabel: verdict.subLabel,
          score: verdict.score,
          suggestion: verdict.suggestion,
          labelResults: verdict.labelResults,
        }),
        domainName: shot.domainName,
        appName: shot.appName,
        streamId: shot.streamName,
        source: "ingest",
        publishSequence: shot.sequence,
      });
    },
    stop: () => classifier.close(),
  };
}
