import { useState } from "preact/hooks";
import { call } from "../api.js";
import { ErrorMessage, Field, Notice, Section, useAction, useMutation } from "../components/ui.js";
import type { RecordRule, RecordTemplate } from "../types.js";

/**
 * Record templates and rules. The API has no ModifyLiveRecordTemplate (neither has Tencent), so
 * editing a template is "create a new one and point the rules at it"; a rule is edited by saving
 * it again for the same domain, AppName and stream.
 */
export function RecordingSection() {
  const templates = useAction<{ Templates: RecordTemplate[] }>(
    "DescribeLiveRecordTemplates",
    {},
    [],
  );
  const rules = useAction<{ Rules: RecordRule[] }>("DescribeLiveRecordRules", {}, []);
  const change = useMutation();
  const [tpl, setTpl] = useState({ name: "", description: "", interval: "1800" });
  const [rule, setRule] = useState({ domain: "", app: "", stream: "", templateId: "" });
  const list = templates.data?.Templates ?? [];
  const templateId = rule.templateId || String(list[0]?.TemplateId ?? "");

  return (
    <>
      <Section title="Record templates">
        <form
          class="inline-form"
          aria-label="New record template"
          onSubmit={(e) => {
            e.preventDefault();
            void change.run(async () => {
              const r = await call<{ TemplateId: number }>("CreateLiveRecordTemplate", {
                TemplateName: tpl.name.trim(),
                ...(tpl.description ? { Description: tpl.description } : {}),
                FlvParam: { RecordInterval: Number(tpl.interval), Enable: 1 },
              });
              templates.reload();
              return `Record template ${r.TemplateId} created.`;
            });
          }}
        >
          <Field label="Record template name">
            <input
              required
              value={tpl.name}
              onInput={(e) => setTpl({ ...tpl, name: e.currentTarget.value })}
            />
          </Field>
          <Field label="Record description">
            <input
              value={tpl.description}
              onInput={(e) => setTpl({ ...tpl, description: e.currentTarget.value })}
            />
          </Field>
          <Field label="FLV file length (s)">
            <input
              type="number"
              required
              value={tpl.interval}
              onInput={(e) => setTpl({ ...tpl, interval: e.currentTarget.value })}
            />
          </Field>
          <button type="submit" class="primary" disabled={change.busy}>
            Create record template
          </button>
        </form>
        <ErrorMessage error={templates.error ?? change.error} />
        <Notice text={change.notice} />
        <ul class="rows" aria-label="Record templates">
          {list.map((t) => (
            <li key={t.TemplateId}>
              <div class="row-head">
                <strong>
                  {t.TemplateId} · {t.TemplateName}
                </strong>
                <span class="muted">
                  {t.FlvParam ? `FLV every ${t.FlvParam.RecordInterval} s` : "no FLV"}
                </span>
                <span class="spacer" />
                <button
                  type="button"
                  class="danger"
                  aria-label={`Delete record template ${t.TemplateName}`}
                  onClick={() =>
                    void change.run(async () => {
                      await call("DeleteLiveRecordTemplate", { TemplateId: t.TemplateId });
                      templates.reload();
                      return `Record template ${t.TemplateId} deleted.`;
                    })
                  }
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Record rules">
        <form
          class="inline-form"
          aria-label="New record rule"
          onSubmit={(e) => {
            e.preventDefault();
            void change.run(async () => {
              await call("CreateLiveRecordRule", {
                DomainName: rule.domain.trim(),
                TemplateId: Number(templateId),
                AppName: rule.app.trim(),
                StreamName: rule.stream.trim(),
              });
              rules.reload();
              return "Record rule saved.";
            });
          }}
        >
          <Field label="Record domain">
            <input
              required
              value={rule.domain}
              onInput={(e) => setRule({ ...rule, domain: e.currentTarget.value })}
            />
          </Field>
          <Field label="Record AppName" hint="empty: any">
            <input
              value={rule.app}
              onInput={(e) => setRule({ ...rule, app: e.currentTarget.value })}
            />
          </Field>
          <Field label="Record stream" hint="empty: any">
            <input
              value={rule.stream}
              onInput={(e) => setRule({ ...rule, stream: e.currentTarget.value })}
            />
          </Field>
          <Field label="Record template">
            <select
              value={templateId}
              onChange={(e) => setRule({ ...rule, templateId: e.currentTarget.value })}
            >
              {list.map((t) => (
                <option key={t.TemplateId} value={String(t.TemplateId)}>
                  {t.TemplateId} · {t.TemplateName}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" class="primary" disabled={change.busy}>
            Save record rule
          </button>
        </form>
        <ErrorMessage error={rules.error} />
        <ul class="rows" aria-label="Record rules">
          {rules.data?.Rules.map((r) => (
            <li key={`${r.DomainName}/${r.AppName}/${r.StreamName}`}>
              <div class="row-head">
                <strong>
                  {r.DomainName}/{r.AppName || "*"}/{r.StreamName || "*"}
                </strong>
                <span>→ record template {r.TemplateId}</span>
                <span class="spacer" />
                <button
                  type="button"
                  class="danger"
                  aria-label={`Delete record rule ${r.DomainName}/${r.AppName || "*"}/${r.StreamName || "*"}`}
                  onClick={() =>
                    void change.run(async () => {
                      await call("DeleteLiveRecordRule", {
                        DomainName: r.DomainName,
                        AppName: r.AppName,
                        StreamName: r.StreamName,
                      });
                      rules.reload();
                      return "Record rule deleted.";
                    })
                  }
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}
