import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { PushDomain } from "../../domain/types.js";
import { OnAirError } from "../../errors.js";
import { type ActionContext, defineAction } from "../action.js";
import { domainName, flag } from "../fields.js";
import { formatBeijingTime } from "../tencent-time.js";
import type { DomainInfo } from "../wire-types.js";

/**
 * Domains (AddLiveDomain, DescribeLiveDomains, DescribeLiveDomain, DeleteLiveDomain) in Tencent's
 * DomainInfo shape. CDN-only fields have their fixed self-hosted values: every domain is enabled,
 * has no CNAME and plays in region 1.
 */

function domainInfo(d: PushDomain): DomainInfo {
  return {
    Name: d.name,
    Type: d.type,
    Status: 1,
    CreateTime: formatBeijingTime(d.createdAt),
    BCName: 0,
    TargetDomain: "",
    PlayType: 1,
    IsDelayLive: 0,
    CurrentCName: "",
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
    const matching = (await ctx.store.domains.list())
      // Every OnAir domain is enabled (Status 1) and not slow-live (IsDelayLive 0).
      .filter(() => p.DomainStatus !== 0 && p.IsDelayLive !== 1)
      .filter((d) => p.DomainType === undefined || d.type === p.DomainType)
      .filter((d) => d.name.startsWith(prefix))
      .filter((d) => p.PlayType === undefined || p.PlayType === 1 || d.type === 0)
      .sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name),
      );
    const size = p.PageSize ?? 10;
    const page = p.PageNum ?? 1;
    const play = matching.filter((d) => d.type === 1).length;
    return {
      AllCount: matching.length,
      DomainList: matching.slice((page - 1) * size, page * size).map(domainInfo),
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
