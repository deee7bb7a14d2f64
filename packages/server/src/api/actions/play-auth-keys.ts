import { z } from "zod";
import { OnAirError } from "../../errors.js";
import { defineAction } from "../action.js";
import { domainName, flag } from "../fields.js";
import type { PlayAuthKeyInfo } from "../wire-types.js";
import { loadDomain } from "./live-domains.js";

/**
 * Play authentication keys (ModifyLivePlayAuthKey, Tencent 267/30761; DescribeLivePlayAuthKey,
 * Tencent 267/30765): the main and backup KEY of `txSecret = MD5(KEY + StreamName + txTime)`
 * on play URLs (docs/playback.md), per play domain.
 */

const authKey = z.string().regex(/^[A-Za-z0-9]{0,64}$/, "at most 64 letters and digits");

/** Omitted fields keep their value (Tencent: "不传表示不修改当前值"); AuthBackKey "" removes the backup key. */
export const modifyLivePlayAuthKey = defineAction({
  name: "ModifyLivePlayAuthKey",
  params: z
    .object({
      DomainName: domainName,
      Enable: flag.optional(),
      AuthKey: authKey.refine((k) => k.length > 0, "must not be empty").optional(),
      AuthBackKey: authKey.optional(),
      AuthDelta: z.number().int().min(0).max(31_536_000, "at most one year").optional(),
    })
    .strict(),
  async run(p, ctx) {
    const domain = await loadDomain(ctx, p.DomainName);
    if (domain.type !== 1) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        `${p.DomainName} is a push domain; play authentication applies to play domains`,
      );
    }
    const current = domain.playAuth;
    const next = {
      enabled: p.Enable === undefined ? current.enabled : p.Enable === 1,
      mainKey: p.AuthKey ?? current.mainKey,
      backupKey: p.AuthBackKey ?? current.backupKey,
      authDeltaSeconds: p.AuthDelta ?? current.authDeltaSeconds,
    };
    if (next.enabled && next.mainKey === "") {
      throw new OnAirError(
        "ONAIR_ERR_MISSING_PARAMETER",
        "play authentication needs an AuthKey: give one to enable it",
      );
    }
    await ctx.store.domains.updatePlayAuth(p.DomainName, next);
    return {};
  },
});

/** PlayAuthKeyInfo; keys are returned in clear, as Tencent does. */
export const describeLivePlayAuthKey = defineAction({
  name: "DescribeLivePlayAuthKey",
  params: z.object({ DomainName: domainName }).strict(),
  async run(p, ctx) {
    const { name, type, playAuth } = await loadDomain(ctx, p.DomainName);
    if (type !== 1) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        `${p.DomainName} is a push domain; play authentication applies to play domains`,
      );
    }
    const info: PlayAuthKeyInfo = {
      DomainName: name,
      Enable: playAuth.enabled ? 1 : 0,
      AuthKey: playAuth.mainKey,
      AuthDelta: playAuth.authDeltaSeconds,
      AuthBackKey: playAuth.backupKey,
    };
    return { PlayAuthKeyInfo: info };
  },
});
