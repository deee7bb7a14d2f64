import { z } from "zod";
import { OnAirError } from "../../errors.js";
import type { Store } from "../../store/store.js";
import { type ApiAction, defineAction } from "../action.js";
import { appName, domainName } from "../fields.js";
import { formatBeijingTime } from "../tencent-time.js";
import type { RuleInfo } from "../wire-types.js";
import { templateToBindNotFound } from "./template-actions.js";

/** StreamName in a rule: empty means every stream. */
const ruleStreamName = z
  .string()
  .max(256)
  .regex(/^[A-Za-z0-9_.~-]*$/, "only letters, digits, _, -, . and ~ are allowed");

/**
 * Create/Describe/Delete actions of Tencent's per-stream rules (record, snapshot): the same
 * parameters and answers for each kind, over its own template and rule tables.
 */
export function streamRuleActions(options: {
  /** `Record` or `Snapshot`: the actions are `CreateLive${kind}Rule`… */
  kind: "Record" | "Snapshot";
  repository: (store: Store) => Store["recording"] | Store["snapshots"];
}): [ApiAction, ApiAction, ApiAction] {
  const what = options.kind.toLowerCase();
  const create = defineAction({
    name: `CreateLive${options.kind}Rule`,
    params: z
      .object({
        DomainName: domainName,
        TemplateId: z.number().int(),
        AppName: appName.optional(),
        StreamName: ruleStreamName.optional(),
      })
      .strict(),
    async run(p, ctx) {
      const repository = options.repository(ctx.store);
      if (!(await repository.getTemplate(p.TemplateId))) {
        throw templateToBindNotFound(options.kind, p.TemplateId);
      }
      await repository.upsertRule({
        domainName: p.DomainName,
        appName: p.AppName ?? "",
        streamName: p.StreamName ?? "",
        templateId: p.TemplateId,
      });
      return {};
    },
  });
  const describe = defineAction({
    name: `DescribeLive${options.kind}Rules`,
    params: z.object({}).strict(),
    async run(_p, ctx) {
      return {
        Rules: (await options.repository(ctx.store).listRules()).map(
          (r): RuleInfo => ({
            TemplateId: r.templateId,
            DomainName: r.domainName,
            AppName: r.appName,
            StreamName: r.streamName,
            CreateTime: formatBeijingTime(r.createdAt),
            UpdateTime: formatBeijingTime(r.updatedAt),
          }),
        ),
      };
    },
  });
  const remove = defineAction({
    name: `DeleteLive${options.kind}Rule`,
    params: z
      .object({
        DomainName: domainName,
        AppName: appName.optional(),
        StreamName: ruleStreamName.optional(),
      })
      .strict(),
    async run(p, ctx) {
      const deleted = await options.repository(ctx.store).deleteRule({
        domainName: p.DomainName,
        appName: p.AppName ?? "",
        streamName: p.StreamName ?? "",
      });
      if (!deleted) {
        // InternalError.RuleNotFound (规则不存在): in DeleteLive{Record,Snapshot}Rule's error list.
        throw new OnAirError("ONAIR_ERR_RULE_NOT_FOUND", `no such ${what} rule`, {
          tencentCode: "InternalError.RuleNotFound",
        });
      }
      return {};
    },
  });
  return [create, describe, remove];
}
