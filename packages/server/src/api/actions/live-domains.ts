import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { PushDomain } from "../../domain/types.js";
import { OnAirError } from "../../errors.js";
import { type ActionContext, defineAction } from "../action.js";
import { domainName, flag } from "../fields.js";
import { formatBeijingTime } from "../tencent-time.js";
import type { DomainInfo } from "../wire-types.js";

/**
 * Domains (AddLiveDomain, DescribeLiveDomains, DescribeLiveDomain, DeleteLiveDomain,
 * ForbidLiveDomain, EnableLiveDomain) in Tencent's DomainInfo shape. CDN-only fields have their
 * fixed self-hosted values: no CNAME, region 1, no rent.
 */

function domainInfo(d: PushDomain): DomainInfo {
  return {
    Name: d.name,
    Type: d.type,
    Status: d.status,
    CreateTime: formatBeijingTime(d.createdAt),
    BCName: 0,
    TargetDomain: "",
    PlayType: 1,
    IsDelayLive: 0,
    CurrentCName: "",
    // Tencent: "失效参数，可忽略" (obsolete; ignore).
    RentTag: 0,
    RentExpireTime: "",
    IsMiniProgramLive: 0,
  };
}

/** Loads a domain or throws ResourceNotFound.DomainNotExist. */
export async function loadDomain(ctx: ActionContext, name: string): Promise<PushDomain> {
  const domain = await ctx.store.domains.get(name);
  if (!domain) throw domainNotExist(name);
  return domain;
}

function domainNotExist(name: string): OnAirError {
  return new OnAirError("ONAIR_ERR_DOMAIN_NOT_FOUND", `domain ${name} does not exist`, {
    tencentCode: "ResourceNotFound.DomainNotExist",
  });
}

/**
 * A new push domain has push authentication on with a generated main key, as Tencent's do;
 * read it with DescribeLivePushAuthKey or set your own with ModifyLivePushAuthKey.
 */
export const addLiveDomain = defineAction({
  name: "AddLiveDomain",
  params: z
    .object({
      DomainName: domainName,
      DomainType: flag,
      // Accepted for SDK compatibility; they describe CDN products OnAir does not have.
      PlayType: z.number().int().min(1).max(3).optional(),
      IsDelayLive: flag.optional(),
      IsMiniProgramLive: flag.optional(),
      VerifyOwnerType: z.enum(["dnsCheck", "fileCheck", "dbCheck"]).optional(),
    })
    .strict(),
  async run(p, ctx) {
    const push = p.DomainType === 0;
    const limit = ctx.config.api.maxDomains;
    if ((await ctx.store.domains.list()).length >= limit) {
      throw new OnAirError(
        "ONAIR_ERR_LIMIT_EXCEEDED",
        `at most ${limit} domains can be added (api.maxDomains); delete one first`,
        { tencentCode: "FailedOperation.HostOutLimit" },
      );
    }
    try {
      await ctx.store.domains.create({
        name: p.DomainName,
        type: p.DomainType,
        pushAuth: {
          enabled: push,
          mainKey: push ? randomBytes(16).toString("hex") : "",
          backupKey: "",
          authDeltaSeconds: 0,
        },
      });
    } catch (err) {
      if (err instanceof OnAirError && err.code === "ONAIR_ERR_DOMAIN_EXISTS") {
        throw new OnAirError(
          "ONAIR_ERR_DOMAIN_EXISTS",
          `domain ${p.DomainName} was already added`,
          {
            cause: err,
            tencentCode: "FailedOperation.DomainAdded",
          },
        );
      }
      throw err;
    }
    return {};
  },
});

export const describeLiveDomains = defineAction({
  name: "DescribeLiveDomains",
  params: z
    .object({
      DomainStatus: flag.optional(),
      DomainType: flag.optional(),
      PageSize: z.number().int().min(10).max(100, "must be 10 to 100").optional(),
      PageNum: z.number().int().min(1).max(100_000, "must be 1 to 100000").optional(),
      IsDelayLive: flag.optional(),
      DomainPrefix: z.string().max(253).optional(),
      PlayType: z.number().int().min(1).max(3).optional(),
    })
    .strict(),
  async run(p, ctx) {
    const prefix = p.DomainPrefix?.toLowerCase() ?? "";
    const all = await ctx.store.domains.list();
    const matching = all
      .filter((d) => p.DomainStatus === undefined || d.status === p.DomainStatus)
      // No OnAir domain is slow-live (IsDelayLive 0).
      .filter(() => p.IsDelayLive !== 1)
      .filter((d) => p.DomainType === undefined || d.type === p.DomainType)
      .filter((d) => d.name.startsWith(prefix))
      .filter((d) => p.PlayType === undefined || p.PlayType === 1 || d.type === 0)
      .sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name),
      );
    const size = p.PageSize ?? 10;
    const page = p.PageNum ?? 1;
    // PlayTypeCount counts the enabled play domains (all in region 1, mainland China).
    const play = matching.filter((d) => d.type === 1 && d.status === 1).length;
    return {
      AllCount: matching.length,
      DomainList: matching.slice((page - 1) * size, page * size).map(domainInfo),
      CreateLimitCount: Math.max(0, ctx.config.api.maxDomains - all.length),
      PlayTypeCount: [play, 0, 0],
    };
  },
});

export const describeLiveDomain = defineAction({
  name: "DescribeLiveDomain",
  params: z.object({ DomainName: domainName }).strict(),
  async run(p, ctx) {
    return { DomainInfo: domainInfo(await loadDomain(ctx, p.DomainName)) };
  },
});

/** DomainType must match the domain's (Tencent: "does not exist or is not matched"). */
export const deleteLiveDomain = defineAction({
  name: "DeleteLiveDomain",
  params: z.object({ DomainName: domainName, DomainType: flag }).strict(),
  async run(p, ctx) {
    const domain = await loadDomain(ctx, p.DomainName);
    if (domain.type !== p.DomainType) {
      throw new OnAirError(
        "ONAIR_ERR_DOMAIN_NOT_FOUND",
        `domain ${p.DomainName} is a ${domain.type === 0 ? "push" : "play"} domain (DomainType ${domain.type})`,
        { tencentCode: "ResourceNotFound.DomainNotExist" },
      );
    }
    if (!(await ctx.store.domains.delete(p.DomainName))) throw domainNotExist(p.DomainName);
    return {};
  },
});

/**
 * ForbidLiveDomain ("停止使用某个直播域名", stop using a domain) and EnableLiveDomain ("启用状态为
 * 停用的直播域名", enable a stopped one), as the official SDKs describe them. A stopped push domain
 * refuses every publish with errcode 18/303 (推流域名被禁用) until it is enabled again; publishes
 * already live go on. An unknown domain is `ResourceNotFound`, the not-found code both list.
 */
function domainStatusAction(name: "ForbidLiveDomain" | "EnableLiveDomain", status: 0 | 1) {
  return defineAction({
    name,
    params: z.object({ DomainName: domainName }).strict(),
    async run(p, ctx) {
      if (!(await ctx.store.domains.setStatus(p.DomainName, status))) {
        throw new OnAirError(
          "ONAIR_ERR_DOMAIN_NOT_FOUND",
          `domain ${p.DomainName} does not exist`,
          {
            tencentCode: "ResourceNotFound",
          },
        );
      }
      return {};
    },
  });
}

export const forbidLiveDomain = domainStatusAction("ForbidLiveDomain", 0);
export const enableLiveDomain = domainStatusAction("EnableLiveDomain", 1);
