import { z } from "zod";
import { OnAirError } from "../../errors.js";
import type { Store } from "../../store/store.js";
import { type ApiAction, defineAction } from "../action.js";

/**
 * A TemplateId that names no template, to Describe/Modify/Delete of a template:
 * `InternalError.ConfNotFound` (模版不存在), which each of those actions lists among its error
 * codes (Tencent 267/32609, 267/32619 and the per-action pages). Binding a rule to a missing
 * template is `InvalidParameter.ConfNotFound` instead (`templateToBindNotFound`).
 */
export function templateNotFound(kind: "Callback" | "Record" | "Snapshot", id: number): OnAirError {
  return new OnAirError(
    "ONAIR_ERR_TEMPLATE_NOT_FOUND",
    `${kind.toLowerCase()} template ${id} does not exist`,
    { tencentCode: "InternalError.ConfNotFound" },
  );
}

/**
 * CreateLive{Callback,Record,Snapshot}Rule with a TemplateId that names no template:
 * `InvalidParameter.ConfNotFound` (配置没有找到), the code those three actions list
 * (Tencent 267/32638, 267/32615, 267/32625).
 */
export function templateToBindNotFound(
  kind: "Callback" | "Record" | "Snapshot",
  id: number,
): OnAirError {
  return new OnAirError(
    "ONAIR_ERR_TEMPLATE_NOT_FOUND",
    `${kind.toLowerCase()} template ${id} does not exist`,
    { tencentCode: "InvalidParameter.ConfNotFound" },
  );
}

/** The template table of one kind, as the store has it for records and snapshots. */
interface TemplateTable<T> {
  getTemplate(id: number): Promise<T | null>;
  listTemplates(): Promise<T[]>;
  deleteTemplate(id: number): Promise<boolean>;
}

/**
 * DescribeLive${kind}Templates, DescribeLive${kind}Template and DeleteLive${kind}Template: the
 * same parameters and answers for recording and screenshot templates, over the kind's table.
 */
export function templateActions<T>(options: {
  kind: "Record" | "Snapshot";
  table: (store: Store) => TemplateTable<T>;
  /** The template in Tencent's field names. */
  render: (template: T) => unknown;
  /** Parameters DescribeLive${kind}Templates accepts (and OnAir ignores). */
  listParams?: z.ZodRawShape;
}): readonly ApiAction[] {
  const { kind, table, render } = options;
  /** An action on one template, by TemplateId. */
  const byId = (
    verb: "Describe" | "Delete",
    run: (templates: TemplateTable<T>, id: number) => Promise<Record<string, unknown> | null>,
  ) =>
    defineAction({
      name: `${verb}Live${kind}Template`,
      params: z.object({ TemplateId: z.number().int() }).strict(),
      async run(p, ctx) {
        const answer = await run(table(ctx.store), p.TemplateId);
        if (answer === null) throw templateNotFound(kind, p.TemplateId);
        return answer;
      },
    });
  return [
    defineAction({
      name: `DescribeLive${kind}Templates`,
      params: z.object(options.listParams ?? {}).strict(),
      async run(_p, ctx) {
        return { Templates: (await table(ctx.store).listTemplates()).map(render) };
      },
    }),
    byId("Describe", async (templates, id) => {
      const template = await templates.getTemplate(id);
      return template && { Template: render(template) };
    }),
    byId("Delete", async (templates, id) => ((await templates.deleteTemplate(id)) ? {} : null)),
  ];
}
