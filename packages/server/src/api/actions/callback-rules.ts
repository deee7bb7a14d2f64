import { z } from "zod";
import { OnAirError } from "../../errors.js";
import { type ActionContext, defineAction } from "../action.js";
import { appName, domainName } from "../fields.js";
import { formatBeijingTime } from "../tencent-time.js";
import type { CallBackRuleInfo } from "../wire-types.js";
import { templateToBindNotFound } from "./template-actions.js";

/**
 * Callback rules (Create/Describe/Delete LiveCallbackRule): a rule binds a push domain and
 * AppName to a template. AppName "" binds every AppName of the domain; an exact AppName wins.
 * A pair has one rule: to rebind it, delete it and create it again, as on Tencent.
 */

/** What binds a pair to a template: CreateLiveCallbackRule's and the dashboard's Save rule. */
export const callbackRuleParams = z
  .object({
    DomainName: domainName,
    AppName: appName,
    TemplateId: z.number().int().min(1, "must be a TemplateId"),
  })
  .strict();

/** Refuses a TemplateId that names no callback template, with Tencent's code for it. */
export async function requireCallbackTemplate(
  ctx: ActionContext,
  templateId: number,
): Promise<void> {
  if (!(await ctx.store.templates.get(templateId)))
    throw templateToBindNotFound("Callback", templateId);
}

export const createLiveCallbackRule = defineAction({
  name: "CreateLiveCallbackRule",
  params: callbackRuleParams,
  async run(p, ctx) {
    await requireCallbackTemplate(ctx, p.TemplateId);
    const created = await ctx.store.rules.create({
      domainName: p.DomainName,
      appName: p.AppName,
      templateId: p.TemplateId,
    });
    if (!created) {
      // Tencent refuses a second rule for a bound DomainName+AppName with
      // InternalError.RuleAlreadyExist (规则已经配置; the callback family's list, Tencent 267/32637).
      throw new OnAirError(
        "ONAIR_ERR_RULE_EXISTS",
        `domain ${p.DomainName} and AppName "${p.AppName}" already have a callback rule; delete it first`,
        { tencentCode: "InternalError.RuleAlreadyExist" },
      );
    }
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
      // FailedOperation.NotFound (找不到记录): the one not-found code DeleteLiveCallbackRule lists.
      throw new OnAirError(
        "ONAIR_ERR_RULE_NOT_FOUND",
        `there is no callback rule for domain ${p.DomainName} and AppName "${p.AppName}"`,
        { tencentCode: "FailedOperation.NotFound" },
      );
    }
    return {};
  },
});
