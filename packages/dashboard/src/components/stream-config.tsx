import { useState } from "preact/hooks";
import { call } from "../api.js";
import type { RuleInfo } from "../types.js";
import { ErrorMessage, Field, Notice, Section, useAction, useMutation } from "./ui.js";

/** One input of a template form; its value is kept as the input holds it, a string. */
export interface TemplateField {
  key: string;
  label: string;
  hint?: string;
  type?: "text" | "number" | "checkbox";
  required?: boolean;
  /** The starting value; a checkbox is "1" when checked and "" when not. */
  initial?: string;
}

/**
 * Fields from which a template form's row is full at laptop width: its button then goes on a row
 * of its own (`.form-actions`) at every width, rather than wherever the row happens to wrap.
 */
const FULL_ROW_FIELDS = 5;

interface TemplateBase {
  TemplateId: number;
  TemplateName: string;
}

/**
 * The templates and per-stream rules of one kind of Tencent stream configuration (record,
 * snapshot): `CreateLive${kind}Template`, `DescribeLive${kind}Templates`, … take the same shape
 * for each kind (stream-rule-actions.ts on the server). Neither kind has a Modify action, so a
 * template is replaced by creating a new one and pointing the rules at it; a rule is replaced by
 * saving it again for the same domain, AppName and stream.
 *
 * `noun` names the kind in every label ("record" gives "Record template name", "Save record
 * rule"…), so the labels of two such sections on one page never collide.
 */
export function StreamConfig<T extends TemplateBase>(props: {
  kind: "Record" | "Snapshot";
  noun: string;
  fields: TemplateField[];
  /** The parameters of `CreateLive${kind}Template` besides TemplateName and Description. */
  params: (form: Record<string, string>) => object;
  /** What the template's row says after its name. */
  summary: (template: T) => string;
}) {
  const { kind, noun } = props;
  const Noun = noun.charAt(0).toUpperCase() + noun.slice(1);
  const templates = useAction<{ Templates: T[] }>(`DescribeLive${kind}Templates`, {}, []);
  const list = templates.data?.Templates ?? [];
  const change = useMutation();
  const fields: TemplateField[] = [
    { key: "TemplateName", label: `${Noun} template name`, required: true },
    { key: "Description", label: `${Noun} description` },
    ...props.fields,
  ];
  const [form, setForm] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.key, f.initial ?? ""])),
  );

  const createButton = (
    <button type="submit" class="primary" disabled={change.busy}>
      Create {noun} template
    </button>
  );

  return (
    <>
      <Section title={`${Noun} templates`}>
        <form
          class="inline-form"
          aria-label={`New ${noun} template`}
          onSubmit={(e) => {
            e.preventDefault();
            void change.run(async () => {
              const r = await call<{ TemplateId: number }>(`CreateLive${kind}Template`, {
                TemplateName: form.TemplateName?.trim(),
                ...(form.Description ? { Description: form.Description } : {}),
                ...props.params(form),
              });
              templates.reload();
              return `${Noun} template ${r.TemplateId} created.`;
            });
          }}
        >
          {fields.map((f) =>
            f.type === "checkbox" ? (
              <label key={f.key} class="check">
                <input
                  type="checkbox"
                  checked={form[f.key] === "1"}
                  onChange={(e) =>
                    setForm({ ...form, [f.key]: e.currentTarget.checked ? "1" : "" })
                  }
                />{" "}
                {f.label}
              </label>
            ) : (
              <Field key={f.key} label={f.label} {...(f.hint ? { hint: f.hint } : {})}>
                <input
                  type={f.type ?? "text"}
                  required={f.required ?? false}
                  value={form[f.key] ?? ""}
                  onInput={(e) => setForm({ ...form, [f.key]: e.currentTarget.value })}
                />
              </Field>
            ),
          )}
          {fields.length >= FULL_ROW_FIELDS ? (
            <div class="form-actions">{createButton}</div>
          ) : (
            createButton
          )}
        </form>
        <ErrorMessage error={templates.error ?? change.error} />
        <Notice text={change.notice} />
        {templates.data && list.length === 0 && <p class="empty">No {noun} template yet.</p>}
        <ul class="rows" aria-label={`${Noun} templates`}>
          {list.map((t) => (
            <li key={t.TemplateId}>
              <div class="row-head">
                <strong>
                  {t.TemplateId} · {t.TemplateName}
                </strong>
                <span class="muted">{props.summary(t)}</span>
                <span class="spacer" />
                <DeleteButton
                  label={`Delete ${noun} template ${t.TemplateName}`}
                  onClick={() =>
                    void change.run(async () => {
                      await call(`DeleteLive${kind}Template`, { TemplateId: t.TemplateId });
                      templates.reload();
                      return `${Noun} template ${t.TemplateId} deleted.`;
                    })
                  }
                />
              </div>
            </li>
          ))}
        </ul>
      </Section>
      <RulesSection kind={kind} noun={noun} Noun={Noun} templates={list} />
    </>
  );
}

function DeleteButton(props: { label: string; onClick: () => void }) {
  return (
    <button type="button" class="danger" aria-label={props.label} onClick={props.onClick}>
      Delete
    </button>
  );
}

function RulesSection(props: {
  kind: "Record" | "Snapshot";
  noun: string;
  Noun: string;
  templates: TemplateBase[];
}) {
  const { kind, noun, Noun } = props;
  const rules = useAction<{ Rules: RuleInfo[] }>(`DescribeLive${kind}Rules`, {}, []);
  const change = useMutation();
  const [rule, setRule] = useState({ domain: "", app: "", stream: "", templateId: "" });
  const templateId = rule.templateId || String(props.templates[0]?.TemplateId ?? "");
  const text = (key: "domain" | "app" | "stream") => ({
    value: rule[key],
    onInput: (e: { currentTarget: { value: string } }) =>
      setRule({ ...rule, [key]: e.currentTarget.value }),
  });
  const pattern = (r: RuleInfo) => `${r.DomainName}/${r.AppName || "*"}/${r.StreamName || "*"}`;

  return (
    <Section title={`${Noun} rules`}>
      <form
        class="inline-form"
        aria-label={`New ${noun} rule`}
        onSubmit={(e) => {
          e.preventDefault();
          void change.run(async () => {
            await call(`CreateLive${kind}Rule`, {
              DomainName: rule.domain.trim(),
              TemplateId: Number(templateId),
              AppName: rule.app.trim(),
              StreamName: rule.stream.trim(),
            });
            rules.reload();
            return `${Noun} rule saved.`;
          });
        }}
      >
        <Field label={`${Noun} domain`}>
          <input required {...text("domain")} />
        </Field>
        <Field label={`${Noun} AppName`} hint="empty: any">
          <input {...text("app")} />
        </Field>
        <Field label={`${Noun} stream`} hint="empty: any">
          <input {...text("stream")} />
        </Field>
        <Field label={`${Noun} template`}>
          <select
            required
            value={templateId}
            onChange={(e) => setRule({ ...rule, templateId: e.currentTarget.value })}
          >
            {props.templates.map((t) => (
              <option key={t.TemplateId} value={String(t.TemplateId)}>
                {t.TemplateId} · {t.TemplateName}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" class="primary" disabled={change.busy}>
          Save {noun} rule
        </button>
      </form>
      <ErrorMessage error={rules.error ?? change.error} />
      <Notice text={change.notice} />
      {rules.data?.Rules.length === 0 && <p class="empty">No {noun} rule yet.</p>}
      <ul class="rows" aria-label={`${Noun} rules`}>
        {rules.data?.Rules.map((r) => (
          <li key={pattern(r)}>
            <div class="row-head">
              <strong>{pattern(r)}</strong>
              <span>
                → {noun} template {r.TemplateId}
              </span>
              <span class="spacer" />
              <DeleteButton
                label={`Delete ${noun} rule ${pattern(r)}`}
                onClick={() =>
                  void change.run(async () => {
                    await call(`DeleteLive${kind}Rule`, {
                      DomainName: r.DomainName,
                      AppName: r.AppName,
                      StreamName: r.StreamName,
                    });
                    rules.reload();
                    return `${Noun} rule deleted.`;
                  })
                }
              />
            </div>
          </li>
        ))}
      </ul>
    </Section>
  );
}
