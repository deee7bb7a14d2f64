import { z } from "zod";
import { OnAirError } from "../../errors.js";
import { defineAction } from "../action.js";
import { appName, domainName } from "../fields.js";
import { formatBeijingTime } from "../tencent-time.js";
import type { CallBackRuleInfo } from "../wire-types.js";

/**
 * Callback rules (Create/Describe/Delete LiveCallbackRule): a rule binds a push domain and
 * AppName to a template. AppName "" binds every AppName of the domain; an exact AppName wins.
 */

export const createLiveCallbackRule = defineAction({
  name: "CreateLiveCallbackRule",
  params: z
    .object({
      DomainName: domainName,
      AppName: appName,
      TemplateId: z.number().int().min(1, "must be a TemplateId"),
    })
    .strict(),
  async run(p, ctx) {
    if (!(await ctx.store.templates.get(p.TemplateId))) {
      throw new OnAirError(
        "ONAIR_ERR_TEMPLATE_NOT_FOUND",
        `callback template ${p.TemplateId} does not exist`,
        { tencentCode: "InvalidParameter.ConfNotFound" },
      );
    }
    // An existing rule for the same domain and AppName is rebound (its UpdateTime changes).
    await ctx.store.rules.upsert({
      domainName: p.DomainName,
      appName: p.AppName,
      templateId: p.TemplateId,
    });
    return {};
  },
});

export const describeLiveCallbackRules = defineAction({
  name: "DescribeLiveCallbackRules",
  params: z.object({}).strict(),
  async run(_p, ctx) {
    const rules = await ctx.store.rules.list();
    return {
      Rules: rules.map(
        (r): CallBackRuleInfo => ({
          CreateTime: formatBeijingTime(r.createdAt),
          UpdateTime: formatBeijingTime(r.updatedAt),
          TemplateId: r.templateId,
          DomainName: r.domainName,
          AppName: r.appName,
        }),
      ),
    };
  },
});

export const deleteLiveCallbackRule = defineAction({
  name: "DeleteLiveCallbackRule",
  params: z.object({ DomainName: domainName, AppName: appName }).strict(),
  async run(p, ctx) {
    if (!(await ctx.store.rules.delete(p.DomainName, p.AppName))) {
      throw new OnAirError(
        "ONAIR_ERR_RULE_NOT_FOUND",
        `there is no callback rule for domain ${p.DomainName} and AppName "${p.AppName}"`,
      );
    }
    return {};
  },
});
