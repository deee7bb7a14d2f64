import { buildPushUrl, signPushUrl } from "@onair/callbacks";
import { z } from "zod";
import type { ActionContext } from "../api/action.js";
import { callbackRuleParams, requireCallbackTemplate } from "../api/actions/callback-rules.js";
import { appName, domainName } from "../api/fields.js";
import { parseParams } from "../api/params.js";
import { OPERATOR_ALERT_EVENT_TYPE } from "../domain/operator-alert.js";
import { latestSnapshot } from "./latest-snapshot.js";
import { readOverview } from "./overview.js";
import { dashboardPlayUrl, dashboardViewers } from "./play-info.js";
import type {
  DashboardAlert,
  DashboardCallbackRuleSaved,
  DashboardPushUrlInfo,
  DashboardStream,
  DashboardViewersInfo,
  MissingUrlWarning,
  UnregisteredDomain,
} from "./wire-types.js";

/** What the dashboard's own actions may use beyond an API action's context. */
export interface DashboardActionContext extends ActionContext {
  filesDir: string;
  /** The `?expires=&sig=` for a path under `/files/` ("" when files are public). */
  fileUrlQuery: (path: string) => string;
  /** The RTMP port bound, null when ingest is off. */
  rtmpPort(): number | null;
  /** The node's "callback.url-missing" warnings so far. */
  missingUrls: () => MissingUrlWarning[];
}

/**
 * Actions only the dashboard has, for figures the Tencent API has no call for. They are not in
 * the management API (an SDK user has no need for them), and their names start with
 * `Dashboard` so they can never shadow a Tencent action.
 */
export interface DashboardAction {
  name: string;
  run(params: unknown, ctx: DashboardActionContext): Promise<Record<string, unknown>>;
}

function define<S extends z.ZodType>(definition: {
  name: string;
  params: S;
  run(params: z.output<S>, ctx: DashboardActionContext): Promise<Record<string, unknown>>;
}): DashboardAction {
  return {
    name: definition.name,
    run: (params, ctx) => definition.run(parseParams(definition.params, params), ctx),
  };
}

/** Tencent's console default for a push URL's validity. */
const DEFAULT_VALIDITY_SECONDS = 24 * 3_600;

const dashboardOverview = define({
  name: "DashboardOverview",
  params: z.object({}).strict(),
  run: async (_p, ctx) => ({ ...(await readOverview(ctx)) }),
});

/** The live publishes with what the online list lacks: picture size, client, screenshot. */
const dashboardLiveStreams = define({
  name: "DashboardLiveStreams",
  params: z.object({}).strict(),
  async run(_p, ctx) {
    const rows = await ctx.store.streams.list({});
    rows.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
    return {
      Streams: await Promise.all(
        rows.map(
          async (r): Promise<DashboardStream> => ({
            DomainName: r.domainName,
            AppName: r.appName,
            StreamName: r.streamName,
            Sequence: r.sequence,
            StartTime: r.startedAt.toISOString(),
            ClientIp: r.clientIp,
            Resolution: r.width > 0 ? `${r.width}*${r.height}` : "",
            SnapshotUrl: await latestSnapshot(ctx, r),
          }),
        ),
      ),
    };
  },
});

/** A signed push URL, computed here so the push key never needs an MD5 in the browser. */
const dashboardPushUrl = define({
  name: "DashboardPushUrl",
  params: z
    .object({
      DomainName: domainName,
      AppName: appName.refine((s) => s.length > 0, "must not be empty"),
      StreamName: z
        .string()
        .min(1, "must not be empty")
        .max(256)
        .regex(/^[A-Za-z0-9_.~-]+$/, "only letters, digits, _, -, . and ~ are allowed"),
      ValiditySeconds: z
        .number()
        .int()
        .min(60)
        .max(366 * 86_400)
        .optional(),
    })
    .strict(),
  async run(p, ctx) {
    const domain = await ctx.store.domains.get(p.DomainName);
    const expiresAt =
      Math.floor(ctx.clock.now().getTime() / 1000) +
      (p.ValiditySeconds ?? DEFAULT_VALIDITY_SECONDS);
    const key = domain?.pushAuth.enabled ? domain.pushAuth.mainKey : "";
    const signed = key ? signPushUrl({ key, streamName: p.StreamName, expiresAt }) : null;
    const info: DashboardPushUrlInfo = {
      AuthEnabled: signed !== null,
      PushUrl: signed
        ? buildPushUrl({
            domain: p.DomainName,
            appName: p.AppName,
            streamName: p.StreamName,
            key,
            expiresAt,
          })
        : `rtmp://${p.DomainName}/${p.AppName}/${p.StreamName}`,
      TxTime: signed?.txTime ?? "",
      TxSecret: signed?.txSecret ?? "",
      ExpireTime: signed ? new Date(expiresAt * 1000).toISOString() : "",
      RtmpPort: ctx.rtmpPort(),
    };
    return info;
  },
});

/** The latest operator alerts (docs/alerts.md), newest first: stored events of type 9000. */
const dashboardAlerts = define({
  name: "DashboardAlerts",
  params: z.object({}).strict(),
  async run(_p, ctx) {
    const events = await ctx.store.events.list({
      eventTypes: [OPERATOR_ALERT_EVENT_TYPE],
      limit: 20,
    });
    return {
      AlertUrl: ctx.config.alerts.url ?? "",
      Alerts: events.map(
        (e): DashboardAlert => ({
          EventId: e.id,
          Time: e.createdAt.toISOString(),
          Alert: String(e.body.alert ?? ""),
          Message: String(e.body.message ?? ""),
          Node: String(e.body.node ?? ""),
        }),
      ),
    };
  },
});

/**
 * Push domains the node knows of without AddLiveDomain: named by a callback, record or
 * screenshot rule, or by a live stream. They publish without push auth (as
 * ingest.allowUnregisteredDomains allows), so the dashboard lists them beside the registered ones.
 */
const dashboardUnregisteredDomains = define({
  name: "DashboardUnregisteredDomains",
  params: z.object({}).strict(),
  async run(_p, ctx) {
    const [domains, callbackRules, recordRules, snapshotRules, live] = await Promise.all([
      ctx.store.domains.list(),
      ctx.store.rules.list(),
      ctx.store.recording.listRules(),
      ctx.store.snapshots.listRules(),
      ctx.store.streams.list({}),
    ]);
    const registered = new Set(domains.map((d) => d.name.toLowerCase()));
    const found = new Map<string, Set<string>>();
    const note = (name: string, source: string) => {
      if (name === "" || registered.has(name.toLowerCase())) return;
      const key = name.toLowerCase();
      found.set(key, (found.get(key) ?? new Set()).add(source));
    };
    for (const r of callbackRules) note(r.domainName, "callback rule");
    for (const r of recordRules) note(r.domainName, "record rule");
    for (const r of snapshotRules) note(r.domainName, "screenshot rule");
    for (const s of live) note(s.domainName, "live stream");
    const Domains: UnregisteredDomain[] = [...found]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([Name, sources]) => ({ Name, UsedBy: [...sources] }));
    return { Domains };
  },
});

const playName = {
  AppName: appName.refine((s) => s.length > 0, "must not be empty"),
  StreamName: z
    .string()
    .min(1, "must not be empty")
    .max(256)
    .regex(/^[A-Za-z0-9_.~-]+$/, "only letters, digits, _, -, . and ~ are allowed"),
};

/**
 * The stream view's player URL, signed on the server for the signed-in operator when the play
 * domain has play auth (dashboard/play-info.ts). `PageHost` is the page's `location.hostname`.
 */
const dashboardPlayUrlAction = define({
  name: "DashboardPlayUrl",
  params: z
    .object({
      ...playName,
      PageHost: z.string().max(255),
      PlayDomain: domainName.optional(),
    })
    .strict(),
  run: async (p, ctx) => ({
    ...(await dashboardPlayUrl(
      { store: ctx.store, nowSeconds: Math.floor(ctx.clock.now().getTime() / 1000) },
      {
        appName: p.AppName,
        streamName: p.StreamName,
        pageHost: p.PageHost,
        ...(p.PlayDomain === undefined ? {} : { playDomain: p.PlayDomain }),
      },
    )),
  }),
});

/** Viewers of one stream on this node, measured on the connections (docs/playback.md). */
const dashboardViewersAction = define({
  name: "DashboardViewers",
  params: z.object(playName).strict(),
  run: async (p, ctx): Promise<DashboardViewersInfo> =>
    dashboardViewers(ctx.viewers, p.AppName, p.StreamName),
});

/**
 * The dashboard's "Save rule": binds DomainName+AppName to a template, replacing the pair's rule
 * if it has one. CreateLiveCallbackRule refuses a bound pair (InternalError.RuleAlreadyExist, as
 * Tencent does), and a delete then create would leave a moment in which the pair's events match
 * no rule and get no callbacks: one upsert switches the template with no such gap.
 */
const dashboardSaveCallbackRule = define({
  name: "DashboardSaveCallbackRule",
  params: callbackRuleParams,
  async run(p, ctx) {
    await requireCallbackTemplate(ctx, p.TemplateId);
    const previous = (await ctx.store.rules.list()).find(
      (r) => r.domainName === p.DomainName && r.appName === p.AppName,
    );
    await ctx.store.rules.upsert({
      domainName: p.DomainName,
      appName: p.AppName,
      templateId: p.TemplateId,
    });
    const saved: DashboardCallbackRuleSaved = {
      TemplateId: p.TemplateId,
      PreviousTemplateId: previous?.templateId ?? null,
    };
    return saved;
  },
});

export const DASHBOARD_ACTIONS: ReadonlyMap<string, DashboardAction> = new Map(
  [
    dashboardOverview,
    dashboardLiveStreams,
    dashboardPushUrl,
    dashboardAlerts,
    dashboardUnregisteredDomains,
    dashboardPlayUrlAction,
    dashboardViewersAction,
    dashboardSaveCallbackRule,
  ].map((a) => [a.name, a]),
);
