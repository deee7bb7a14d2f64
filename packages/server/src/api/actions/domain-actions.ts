import { z } from "zod";
import type { PushDomain } from "../../domain/types.js";
import { OnAirError } from "../../errors.js";
import type { ActionContext, ActionHandler } from "../action.js";
import { beijingTime, parseParams } from "../params.js";

const DOMAIN = z
  .string()
  .min(1)
  .max(255)
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/,
    "not a domain name",
  );
const AUTH_KEY = z.string().regex(/^[A-Za-z0-9]{0,64}$/, "letters and digits, at most 64");

const addSchema = z
  .object({
    DomainName: DOMAIN,
    DomainType: z.union([z.literal(0), z.literal(1)]),
    PlayType: z.number().int().optional(),
    IsDelayLive: z.number().int().optional(),
    IsMiniProgramLive: z.number().int().optional(),
    VerifyOwnerType: z.string().optional(),
  })
  .strict();
const listSchema = z
  .object({
    DomainStatus: z.number().int().optional(),
    DomainType: z.number().int().optional(),
    PageSize: z.number().int().min(10).max(100).optional(),
    PageNum: z.number().int().min(1).max(100000).optional(),
    IsDelayLive: z.number().int().optional(),
    DomainPrefix: z.string().optional(),
    PlayType: z.number().int().optional(),
  })
  .strict();
const nameSchema = z.object({ DomainName: DOMAIN }).strict();
const deleteSchema = z
  .object({ DomainName: DOMAIN, DomainType: z.number().int().optional() })
  .strict();
const pushAuthSchema = z
  .object({
    DomainName: DOMAIN,
    Enable: z.union([z.literal(0), z.literal(1)]).optional(),
    MasterAuthKey: AUTH_KEY.optional(),
    BackupAuthKey: AUTH_KEY.optional(),
    AuthDelta: z
      .number()
      .int()
      .min(0)
      .max(86_400 * 365)
      .optional(),
  })
  .strict();

/** DomainInfo as Tencent returns it; fields about CDN hosting have fixed self-hosted values. */
function domainInfo(d: PushDomain): Record<string, unknown> {
  return {
    Name: d.name,
    Type: d.type,
    Status: 1,
    CreateTime: beijingTime(d.createdAt),
    BCName: 0,
    TargetDomain: "",
    PlayType: 1,
    IsDelayLive: 0,
    CurrentCName: "",
    RentTag: 0,
    RentExpireTime: "",
    IsMiniProgramLive: 0,
  };
}

async function getDomain(ctx: ActionContext, name: string): Promise<PushDomain> {
  const domain = await ctx.store.domains.get(name);
  if (!domain)
    throw new OnAirError("ONAIR_ERR_NOT_FOUND", `domain ${name} does not exist`, {
      tencentCode: "ResourceNotFound.DomainNotExist",
    });
  return domain;
}

/** Tencent's domain and push-authentication-key actions. */
export const domainActions: Record<string, ActionHandler> = {
  async AddLiveDomain(params, ctx) {
    const p = parseParams(addSchema, params);
    await ctx.store.domains.create({
      name: p.DomainName,
      type: p.DomainType,
      pushAuth: { enabled: false, mainKey: "", backupKey: "", authDeltaSeconds: 0 },
    });
    return {};
  },

  async DescribeLiveDomains(params, ctx) {
    const p = parseParams(listSchema, params);
    const all = (await ctx.store.domains.list()).filter(
      (d) =>
        (p.DomainType === undefined || d.type === p.DomainType) &&
        (!p.DomainPrefix || d.name.startsWith(p.DomainPrefix)),
    );
    const size = p.PageSize ?? 10;
    const page = p.PageNum ?? 1;
    return {
      AllCount: all.length,
      DomainList: all.slice((page - 1) * size, page * size).map(domainInfo),
      CreateLimitCount: 100,
    };
  },

  async DescribeLiveDomain(params, ctx) {
    const { DomainName } = parseParams(nameSchema, params);
    return { DomainInfo: domainInfo(await getDomain(ctx, DomainName)) };
  },

  async DeleteLiveDomain(params, ctx) {
    const { DomainName } = parseParams(deleteSchema, params);
    if (!(await ctx.store.domains.delete(DomainName))) {
      throw new OnAirError("ONAIR_ERR_NOT_FOUND", `domain ${DomainName} does not exist`, {
        tencentCode: "ResourceNotFound.DomainNotExist",
      });
    }
    return {};
  },

  async ModifyLivePushAuthKey(params, ctx) {
    const p = parseParams(pushAuthSchema, params);
    const current = (await getDomain(ctx, p.DomainName)).pushAuth;
    const next = {
      enabled: p.Enable === undefined ? current.enabled : p.Enable === 1,
      mainKey: p.MasterAuthKey ?? current.mainKey,
      backupKey: p.BackupAuthKey ?? current.backupKey,
      authDeltaSeconds: p.AuthDelta ?? current.authDeltaSeconds,
    };
    if (next.enabled && !next.mainKey) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        "MasterAuthKey is required to enable push authentication",
      );
    }
    await ctx.store.domains.updatePushAuth(p.DomainName, next);
    return {};
  },

  async DescribeLivePushAuthKey(params, ctx) {
    const { DomainName } = parseParams(nameSchema, params);
    const { pushAuth } = await getDomain(ctx, DomainName);
    return {
      PushAuthKeyInfo: {
        DomainName,
        Enable: pushAuth.enabled ? 1 : 0,
        MasterAuthKey: pushAuth.mainKey,
        BackupAuthKey: pushAuth.backupKey,
        AuthDelta: pushAuth.authDeltaSeconds,
      },
    };
  },
};
