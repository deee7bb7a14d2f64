import { z } from "zod";
import { OnAirError } from "../../errors.js";
import { defineAction } from "../action.js";
import { domainName, flag } from "../fields.js";
import type { PushAuthKeyInfo } from "../wire-types.js";
import { loadDomain } from "./live-domains.js";

/**
 * Push authentication keys (ModifyLivePushAuthKey, DescribeLivePushAuthKey): the main and backup
 * KEY of `txSecret = MD5(KEY + StreamName + txTime)` (docs/ingest.md), per push domain.
 */

const authKey = z.string().regex(/^[A-Za-z0-9]{0,64}$/, "at most 64 letters and digits");

/** Omitted fields keep their value (Tencent: "不传表示不修改当前值"); BackupAuthKey "" removes the backup key. */
export const modifyLivePushAuthKey = defineAction({
  name: "ModifyLivePushAuthKey",
  params: z
    .object({
      DomainName: domainName,
      Enable: flag.optional(),
      MasterAuthKey: authKey.refine((k) => k.length > 0, "must not be empty").optional(),
      BackupAuthKey: authKey.optional(),
      AuthDelta: z.number().int().min(0).max(31_536_000, "at most one year").optional(),
    })
    .strict(),
  async run(p, ctx) {
    const domain = await loadDomain(ctx, p.DomainName);
    if (domain.type !== 0) {
      throw new OnAirError(
        "ONAIR_ERR_INVALID_PARAMETER_VALUE",
        `${p.DomainName} is a play domain; push authentication applies to push domains`,
      );
    }
    const current = domain.pushAuth;
    const next = {
      enabled: p.Enable === undefined ? current.enabled : p.Enable === 1,
      mainKey: p.MasterAuthKey ?? current.mainKey,
      backupKey: p.BackupAuthKey ?? current.backupKey,
      authDeltaSeconds: p.AuthDelta ?? current.authDeltaSeconds,
    };
    if (next.enabled && next.mainKey === "") {
      throw new OnAirError(
        "ONAIR_ERR_MISSING_PARAMETER",
        "push authentication needs a MasterAuthKey: give one to enable it",
      );
    }
    await ctx.store.domains.updatePushAuth(p.DomainName, next);
    return {};
  },
});

/** PushAuthKeyInfo; keys are returned in clear, as Tencent does. */
export const describeLivePushAuthKey = defineAction({
  name: "DescribeLivePushAuthKey",
  params: z.object({ DomainName: domainName }).strict(),
  async run(p, ctx) {
    const { name, pushAuth } = await loadDomain(ctx, p.DomainName);
    const info: PushAuthKeyInfo = {
      DomainName: name,
      Enable: pushAuth.enabled ? 1 : 0,
      MasterAuthKey: pushAuth.mainKey,
      BackupAuthKey: pushAuth.backupKey,
      AuthDelta: pushAuth.authDeltaSeconds,
    };
    return { PushAuthKeyInfo: info };
  },
});
