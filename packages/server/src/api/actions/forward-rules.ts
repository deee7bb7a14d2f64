import { z } from "zod";
import { OnAirError } from "../../errors.js";
import { forwardUrlProblem } from "../../forwarding/forward-url.js";
import { defineAction } from "../action.js";
import { appName, domainName } from "../fields.js";

/**
 * Forward rules (docs/relay.md), OnAir's own actions named in Tencent's style: every publish of a
 * push domain + AppName ("" for all of the domain's) is pushed to each of its target URLs for as
 * long as it is live, like nginx-rtmp's `push`. DescribeLiveForwardTargets shows this node's
 * forwards of live publishes. Times are ISO 8601 UTC, as in OnAir's other own actions.
 */

/** Targets one (domain, AppName) may have: each live publish holds one connection per target. */
export const MAX_FORWARD_TARGETS = 16;

const targetUrl = z
  .string()
  .min(1)
  .superRefine((url, ctx) => {
    const problem = forwardUrlProblem(url);
    if (problem) ctx.addIssue({ code: "custom", message: `not a usable target: ${problem}` });
  });

const ruleKey = z
  .object({ DomainName: domainName, AppName: appName, TargetUrl: targetUrl })
  .strict();

export const createLiveForwardRule = defineAction({
  name: "CreateLiveForwardRule",
  extension: true,
  params: ruleKey,
  async run(p, ctx) {
    if ((await ctx.store.forwards.count(p.DomainName, p.AppName)) >= MAX_FORWARD_TARGETS) {
      throw new OnAirError(
        "ONAIR_ERR_LIMIT_EXCEEDED",
        `domain ${p.DomainName} and AppName "${p.AppName}" already have ${MAX_FORWARD_TARGETS} forward targets`,
      );
    }
    const created = await ctx.store.forwards.create({
      domainName: p.DomainName,
      appName: p.AppName,
      targetUrl: p.TargetUrl,
    });
    if (!created) {
      throw new OnAirError(
        "ONAIR_ERR_RULE_EXISTS",
        `domain ${p.DomainName} and AppName "${p.AppName}" already forward to that TargetUrl`,
        { tencentCode: "InternalError.RuleAlreadyExist" },
      );
    }
    return {};
  },
});

export const describeLiveForwardRules = defineAction({
  name: "DescribeLiveForwardRules",
  extension: true,
  params: z.object({ DomainName: domainName.optional() }).strict(),
  async run(p, ctx) {
    const rules = await ctx.store.forwards.list(
      p.DomainName === undefined ? {} : { domainName: p.DomainName },
    );
    return {
      Rules: rules.map((r) => ({
        DomainName: r.domainName,
        AppName: r.appName,
        TargetUrl: r.targetUrl,
        CreateTime: r.createdAt.toISOString(),
      })),
    };
  },
});

export const deleteLiveForwardRule = defineAction({
  name: "DeleteLiveForwardRule",
  extension: true,
  params: z.object({ DomainName: domainName, AppName: appName, TargetUrl: z.string() }).strict(),
  async run(p, ctx) {
    const deleted = await ctx.store.forwards.delete({
      domainName: p.DomainName,
      appName: p.AppName,
      targetUrl: p.TargetUrl,
    });
    if (!deleted) {
      throw new OnAirError(
        "ONAIR_ERR_RULE_NOT_FOUND",
        `domain ${p.DomainName} and AppName "${p.AppName}" do not forward to that TargetUrl`,
      );
    }
    return {};
  },
});

/** This node's forwards of live publishes; a publish on another node shows on that node. */
export const describeLiveForwardTargets = defineAction({
  name: "DescribeLiveForwardTargets",
  extension: true,
  params: z
    .object({
      DomainName: domainName.optional(),
      AppName: z.string().optional(),
      StreamName: z.string().optional(),
    })
    .strict(),
  async run(p, ctx) {
    const targets = (ctx.forwards?.targets() ?? []).filter(
      (t) =>
        (p.DomainName === undefined || t.domainName === p.DomainName.toLowerCase()) &&
        (p.AppName === undefined || t.appName === p.AppName) &&
        (p.StreamName === undefined || t.streamName === p.StreamName),
    );
    return {
      Targets: targets.map((t) => ({
        DomainName: t.domainName,
        AppName: t.appName,
        StreamName: t.streamName,
        RuleUrl: t.ruleUrl,
        TargetUrl: t.targetUrl,
        State: t.state,
        Since: t.since.toISOString(),
        LastError: t.lastError ?? "",
        BytesSent: t.bytesSent,
        Attempts: t.attempts,
        Failures: t.failures,
      })),
      TotalNum: targets.length,
    };
  },
});
