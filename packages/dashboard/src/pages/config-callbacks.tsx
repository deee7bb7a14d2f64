import { useState } from "preact/hooks";
import { call } from "../api.js";
import { CallbackTest } from "../components/callback-test.js";
import { ErrorMessage, Field, Notice, Section, useAction, useMutation } from "../components/ui.js";
import type {
  CallBackRuleInfo,
  CallBackTemplateInfo,
  DashboardCallbackRuleSaved,
} from "../types.js";

/** Each URL field of a template and the event_type it receives (Tencent 267/32744). */
const URL_FIELDS: { field: `${string}NotifyUrl`; label: string; eventType: number }[] = [
  { field: "StreamBeginNotifyUrl", label: "Push callback URL", eventType: 1 },
  { field: "StreamEndNotifyUrl", label: "Interruption callback URL", eventType: 0 },
  { field: "RecordNotifyUrl", label: "Recording callback URL", eventType: 100 },
  { field: "RecordStatusNotifyUrl", label: "Recording status callback URL", eventType: 332 },
  { field: "SnapshotNotifyUrl", label: "Screenshot callback URL", eventType: 200 },
  { field: "PornCensorshipNotifyUrl", label: "Porn detection callback URL", eventType: 317 },
  { field: "PushExceptionNotifyUrl", label: "Push exception callback URL", eventType: 321 },
  { field: "AudioAuditNotifyUrl", label: "Audio audit callback URL", eventType: 315 },
  { field: "RecordExceptionNotifyUrl", label: "Recording exception callback URL", eventType: 341 },
];

/** The form's values, all strings as inputs hold them. */
type TemplateForm = Record<string, string> & { ordering: string };

/**
 * Which event types this template sends where. An unset URL means events of that type are stored
 * and never sent (OnAir warns once in its log and on the overview), so it is shown, not hidden.
 */
function UrlWiring(props: { template: CallBackTemplateInfo }) {
  const t = props.template as unknown as Record<string, unknown>;
  return (
    <dl class="wiring" aria-label={`URLs of template ${props.template.TemplateName}`}>
      {URL_FIELDS.map(({ field, label, eventType }) => {
        const url = typeof t[field] === "string" ? (t[field] as string) : "";
        return (
          <div key={field} class={url ? "wired" : "unwired"}>
            <dt title={field}>
              {label.replace(/ callback URL$/, "")} ({eventType})
            </dt>
            <dd class="wiring-value">{url || "not sent (no URL)"}</dd>
          </div>
        );
      })}
    </dl>
  );
}

function formOf(t: CallBackTemplateInfo | null): TemplateForm {
  const form: TemplateForm = {
    TemplateName: t?.TemplateName ?? "",
    Description: t?.Description ?? "",
    CallbackKey: t?.CallbackKey ?? "",
    MaxRetries: t?.OnAirRetryPolicy ? String(t.OnAirRetryPolicy.MaxRetries) : "",
    IntervalMs: t?.OnAirRetryPolicy ? String(t.OnAirRetryPolicy.IntervalMs) : "",
    ordering: t?.OnAirPerStreamOrdering ? "on" : "",
  };
  for (const { field } of URL_FIELDS) form[field] = t?.[field] ?? "";
  return form;
}

/** Parameters of Create/ModifyLiveCallbackTemplate; on create, empty URLs are left out. */
function paramsOf(form: TemplateForm, editing: boolean): Record<string, unknown> {
  const params: Record<string, unknown> = {
    TemplateName: form.TemplateName?.trim(),
    OnAirPerStreamOrdering: form.ordering === "on",
  };
  if (form.Description || editing) params.Description = form.Description ?? "";
  if (form.CallbackKey || editing) params.CallbackKey = form.CallbackKey ?? "";
  for (const { field } of URL_FIELDS) {
    const value = form[field]?.trim() ?? "";
    if (value || editing) params[field] = value;
  }
  const policy: Record<string, number> = {};
  if (form.MaxRetries) policy.MaxRetries = Number(form.MaxRetries);
  if (form.IntervalMs) policy.IntervalMs = Number(form.IntervalMs);
  if (Object.keys(policy).length > 0) params.OnAirRetryPolicy = policy;
  return params;
}

function TemplateEditor(props: {
  template: CallBackTemplateInfo | null;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const editing = props.template !== null;
  const [form, setForm] = useState<TemplateForm>(() => formOf(props.template));
  const [more, setMore] = useState(
    () => editing && URL_FIELDS.slice(2).some(({ field }) => props.template?.[field]),
  );
  const save = useMutation();
  const set = (field: string) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [field]: e.currentTarget.value });
  return (
    <form
      class="editor"
      aria-label={editing ? `Edit template ${props.template?.TemplateId}` : "New callback template"}
      onSubmit={(e) => {
        e.preventDefault();
        void save.run(async () => {
          if (props.template) {
            await call("ModifyLiveCallbackTemplate", {
              TemplateId: props.template.TemplateId,
              ...paramsOf(form, true),
            });
            props.onDone(`Template ${props.template.TemplateId} saved.`);
          } else {
            const r = await call<{ TemplateId: number }>(
              "CreateLiveCallbackTemplate",
              paramsOf(form, false),
            );
            props.onDone(`Template ${r.TemplateId} created.`);
          }
          return undefined;
        });
      }}
    >
      <h3>{editing ? `Edit template ${props.template?.TemplateId}` : "New callback template"}</h3>
      <div class="grid">
        <Field label="Template name" hint="letters, digits, _ and -">
          <input required value={form.TemplateName} onInput={set("TemplateName")} />
        </Field>
        <Field label="Description">
          <input value={form.Description} onInput={set("Description")} />
        </Field>
        {URL_FIELDS.slice(0, more ? URL_FIELDS.length : 2).map(({ field, label }) => (
          <Field key={field} label={label}>
            <input type="url" value={form[field]} onInput={set(field)} placeholder="https://…" />
          </Field>
        ))}
        <Field label="Callback key" hint="signs each callback: MD5(key + t)">
          <input value={form.CallbackKey} onInput={set("CallbackKey")} autoComplete="off" />
        </Field>
        <Field label="Max retries" hint="empty: the server's policy">
          <input
            type="number"
            min={0}
            max={100}
            value={form.MaxRetries}
            onInput={set("MaxRetries")}
          />
        </Field>
        <Field label="Retry interval (ms)">
          <input type="number" min={0} value={form.IntervalMs} onInput={set("IntervalMs")} />
        </Field>
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={form.ordering === "on"}
          onChange={(e) => setForm({ ...form, ordering: e.currentTarget.checked ? "on" : "" })}
        />{" "}
        Deliver each stream's events in order
      </label>
      <div class="toolbar">
        <button type="button" class="link" onClick={() => setMore(!more)} aria-expanded={more}>
          {more ? "Fewer URLs" : "More callback URLs"}
        </button>
        <span class="spacer" />
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={save.busy}>
          {editing ? "Save template" : "Create template"}
        </button>
      </div>
      <ErrorMessage error={save.error} />
    </form>
  );
}

export function CallbacksSection() {
  const templates = useAction<{ Templates: CallBackTemplateInfo[] }>(
    "DescribeLiveCallbackTemplates",
    {},
    [],
  );
  const rules = useAction<{ Rules: CallBackRuleInfo[] }>("DescribeLiveCallbackRules", {}, []);
  const [editing, setEditing] = useState<CallBackTemplateInfo | "new" | null>(null);
  const change = useMutation();
  const ruleChange = useMutation();
  const [rule, setRule] = useState({ DomainName: "", AppName: "", TemplateId: "" });
  const list = templates.data?.Templates ?? [];
  const templateId = rule.TemplateId || String(list[0]?.TemplateId ?? "");

  return (
    <>
      <Section title="Callback templates">
        <ErrorMessage error={templates.error ?? change.error} />
        <Notice text={change.notice} />
        {list.length === 0 && <p class="empty">No template yet.</p>}
        <ul class="rows" aria-label="Callback templates">
          {list.map((t) => (
            <li key={t.TemplateId}>
              <div class="row-head">
                <strong>
                  {t.TemplateId} · {t.TemplateName}
                </strong>
                <span class="spacer" />
                <button
                  type="button"
                  aria-label={`Edit template ${t.TemplateName}`}
                  onClick={() => setEditing(t)}
                >
                  Edit
                </button>
                <button
                  type="button"
                  class="danger"
                  aria-label={`Delete template ${t.TemplateName}`}
                  onClick={() => {
                    if (!window.confirm(`Delete template ${t.TemplateName}?`)) return;
                    void change.run(async () => {
                      await call("DeleteLiveCallbackTemplate", { TemplateId: t.TemplateId });
                      templates.reload();
                      return `Template ${t.TemplateId} deleted.`;
                    });
                  }}
                >
                  Delete
                </button>
              </div>
              <UrlWiring template={t} />
              <CallbackTest template={t} />
              {editing !== "new" && editing?.TemplateId === t.TemplateId && (
                <TemplateEditor
                  template={t}
                  onCancel={() => setEditing(null)}
                  onDone={(message) => {
                    setEditing(null);
                    templates.reload();
                    void change.run(async () => message);
                  }}
                />
              )}
            </li>
          ))}
        </ul>
        {editing === "new" ? (
          <TemplateEditor
            template={null}
            onCancel={() => setEditing(null)}
            onDone={(message) => {
              setEditing(null);
              templates.reload();
              void change.run(async () => message);
            }}
          />
        ) : (
          <button type="button" class="primary" onClick={() => setEditing("new")}>
            New callback template
          </button>
        )}
      </Section>
      <Section title="Callback rules">
        <form
          class="inline-form"
          aria-label="New callback rule"
          onSubmit={(e) => {
            e.preventDefault();
            void ruleChange.run(async () => {
              // The dashboard's own action: it also rebinds a pair that has a rule, which
              // CreateLiveCallbackRule refuses (InternalError.RuleAlreadyExist, as Tencent does).
              const saved = await call<DashboardCallbackRuleSaved>("DashboardSaveCallbackRule", {
                DomainName: rule.DomainName.trim(),
                AppName: rule.AppName.trim(),
                TemplateId: Number(templateId),
              });
              rules.reload();
              const pair = `${rule.DomainName.trim()}/${rule.AppName.trim() || "*"}`;
              const previous = saved.PreviousTemplateId;
              return previous !== null && previous !== saved.TemplateId
                ? `Rule for ${pair} now uses template ${saved.TemplateId} (was ${previous}).`
                : `Rule for ${pair} saved.`;
            });
          }}
        >
          <Field label="Rule domain">
            <input
              required
              value={rule.DomainName}
              onInput={(e) => setRule({ ...rule, DomainName: e.currentTarget.value })}
            />
          </Field>
          <Field label="Rule AppName" hint="empty: every AppName">
            <input
              value={rule.AppName}
              onInput={(e) => setRule({ ...rule, AppName: e.currentTarget.value })}
            />
          </Field>
          <Field label="Rule template">
            <select
              value={templateId}
              onChange={(e) => setRule({ ...rule, TemplateId: e.currentTarget.value })}
            >
              {list.map((t) => (
                <option key={t.TemplateId} value={String(t.TemplateId)}>
                  {t.TemplateId} · {t.TemplateName}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" class="primary" disabled={ruleChange.busy}>
            Save rule
          </button>
        </form>
        <ErrorMessage error={rules.error ?? ruleChange.error} />
        <Notice text={ruleChange.notice} />
        {rules.data?.Rules.length === 0 && <p class="empty">No rule yet.</p>}
        <ul class="rows" aria-label="Callback rules">
          {rules.data?.Rules.map((r) => (
            <li key={`${r.DomainName}/${r.AppName}`}>
              <div class="row-head">
                <strong>
                  {r.DomainName}/{r.AppName || "*"}
                </strong>
                <span>→ template {r.TemplateId}</span>
                <span class="spacer" />
                <button
                  type="button"
                  class="danger"
                  aria-label={`Delete rule ${r.DomainName}/${r.AppName || "*"}`}
                  onClick={() =>
                    void ruleChange.run(async () => {
                      await call("DeleteLiveCallbackRule", {
                        DomainName: r.DomainName,
                        AppName: r.AppName,
                      });
                      rules.reload();
                      return `Rule ${r.DomainName}/${r.AppName || "*"} deleted.`;
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
