import { useState } from "preact/hooks";
import { call } from "../api.js";
import { ErrorMessage, Field, Notice, Section, useAction, useMutation } from "../components/ui.js";
import { formatTime } from "../format.js";
import type {
  DashboardPushUrlInfo,
  DomainInfo,
  PushAuthKeyInfo,
  UnregisteredDomain,
} from "../types.js";

function PushAuthForm(props: { domain: string }) {
  const current = useAction<{ PushAuthKeyInfo: PushAuthKeyInfo }>(
    "DescribeLivePushAuthKey",
    { DomainName: props.domain },
    [props.domain],
  );
  const info = current.data?.PushAuthKeyInfo;
  const save = useMutation();
  if (!info) return <ErrorMessage error={current.error} />;
  return (
    <form
      class="inline-form"
      aria-label={`Push authentication of ${props.domain}`}
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        void save.run(async () => {
          await call("ModifyLivePushAuthKey", {
            DomainName: props.domain,
            Enable: data.get("enable") === "on" ? 1 : 0,
            ...(data.get("main") ? { MasterAuthKey: String(data.get("main")) } : {}),
            BackupAuthKey: String(data.get("backup") ?? ""),
            AuthDelta: Number(data.get("delta") ?? 0),
          });
          current.reload();
          return `Push authentication of ${props.domain} saved.`;
        });
      }}
    >
      <label class="check">
        <input type="checkbox" name="enable" defaultChecked={info.Enable === 1} /> Push
        authentication on
      </label>
      <Field label="Main key">
        <input name="main" defaultValue={info.MasterAuthKey} autoComplete="off" />
      </Field>
      <Field label="Backup key">
        <input name="backup" defaultValue={info.BackupAuthKey} autoComplete="off" />
      </Field>
      <Field label="Extra validity (AuthDelta, s)">
        <input name="delta" type="number" min={0} defaultValue={String(info.AuthDelta)} />
      </Field>
      <button type="submit" disabled={save.busy}>
        Save keys
      </button>
      <ErrorMessage error={save.error} />
      <Notice text={save.notice} />
    </form>
  );
}

function PushUrlGenerator(props: { domains: DomainInfo[]; unregistered: string[] }) {
  // Registered push domains first, then those in use without AddLiveDomain (no push auth).
  const push = [
    ...props.domains.filter((d) => d.Type === 0).map((d) => d.Name),
    ...props.unregistered,
  ];
  const [result, setResult] = useState<DashboardPushUrlInfo | null>(null);
  const gen = useMutation();
  const [form, setForm] = useState({ domain: "", app: "live", stream: "", hours: "24" });
  const domain = form.domain || push[0] || "";
  const local =
    result && result.RtmpPort !== null
      ? `rtmp://${window.location.hostname}:${result.RtmpPort}/${form.app}/${form.stream}?domain=${domain}${
          result.AuthEnabled ? `&txSecret=${result.TxSecret}&txTime=${result.TxTime}` : ""
        }`
      : "";
  const set = (field: keyof typeof form) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [field]: e.currentTarget.value });
  return (
    <Section title="Push URL generator">
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void gen.run(async () => {
            setResult(
              await call<DashboardPushUrlInfo>("DashboardPushUrl", {
                DomainName: domain,
                AppName: form.app,
                StreamName: form.stream,
                ValiditySeconds: Math.round(Number(form.hours) * 3600),
              }),
            );
            return undefined;
          });
        }}
      >
        <Field label="Push domain">
          <select value={domain} onChange={set("domain")} required>
            {push.map((name) => (
              <option key={name} value={name}>
                {name}
                {props.unregistered.includes(name) ? " (not added)" : ""}
              </option>
            ))}
          </select>
        </Field>
        <Field label="AppName">
          <input required value={form.app} onInput={set("app")} />
        </Field>
        <Field label="Stream name">
          <input required value={form.stream} onInput={set("stream")} />
        </Field>
        <Field label="Valid for (hours)">
          <input
            type="number"
            min={1}
            max={8784}
            required
            value={form.hours}
            onInput={set("hours")}
          />
        </Field>
        <button type="submit" class="primary" disabled={gen.busy || !domain}>
          Generate
        </button>
      </form>
      <p class="hint">txSecret = md5(key + stream name + txTime), txTime the expiry in hex.</p>
      <ErrorMessage error={gen.error} />
      {result && (
        <div class="generated">
          <Field label="Push URL">
            <input readOnly value={result.PushUrl} />
          </Field>
          {local && (
            <Field
              label="Push URL for this server"
              hint="by address, with the domain as a parameter"
            >
              <input readOnly value={local} />
            </Field>
          )}
          {result.AuthEnabled ? (
            <p class="muted">Expires {formatTime(result.ExpireTime)}.</p>
          ) : (
            <p class="muted">
              Push authentication is off for {domain}: the URL needs no signature.
            </p>
          )}
        </div>
      )}
    </Section>
  );
}

export function DomainsSection() {
  const list = useAction<{ DomainList: DomainInfo[] }>(
    "DescribeLiveDomains",
    { PageSize: 100 },
    [],
  );
  const inUse = useAction<{ Domains: UnregisteredDomain[] }>("DashboardUnregisteredDomains", {}, [
    list.data,
  ]);
  const unregistered = inUse.data?.Domains ?? [];
  const [name, setName] = useState("");
  const [type, setType] = useState("0");
  const [keysOf, setKeysOf] = useState<string | null>(null);
  const change = useMutation();
  const domains = list.data?.DomainList ?? [];
  return (
    <>
      <Section title="Domains">
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void change.run(async () => {
              await call("AddLiveDomain", { DomainName: name.trim(), DomainType: Number(type) });
              list.reload();
              const added = name.trim();
              setName("");
              return `Added ${added}${type === "0" ? " with push authentication on" : ""}.`;
            });
          }}
        >
          <Field label="Domain name">
            <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field label="Type">
            <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
              <option value="0">push</option>
              <option value="1">play</option>
            </select>
          </Field>
          <button type="submit" class="primary" disabled={change.busy}>
            Add domain
          </button>
        </form>
        <ErrorMessage error={list.error ?? change.error} />
        <Notice text={change.notice} />
        {unregistered.length > 0 && (
          <ul class="rows" aria-label="Domains in use, not added">
            {unregistered.map((d) => (
              <li key={d.Name}>
                <div class="row-head">
                  <strong>{d.Name}</strong>
                  <span class="pill warn">not added</span>
                  <span class="muted">
                    used by {d.UsedBy.join(", ")}; publishes without push auth
                  </span>
                  <span class="spacer" />
                  <button
                    type="button"
                    aria-label={`Add domain ${d.Name}`}
                    onClick={() =>
                      void change.run(async () => {
                        await call("AddLiveDomain", { DomainName: d.Name, DomainType: 0 });
                        list.reload();
                        return `Added ${d.Name} with push authentication on.`;
                      })
                    }
                  >
                    Add
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
        {domains.length === 0 ? (
          <p class="empty">
            No domain added yet. Streams of unregistered domains publish without auth.
          </p>
        ) : (
          <ul class="rows" aria-label="Domains">
            {domains.map((d) => (
              <li key={d.Name}>
                <div class="row-head">
                  <strong>{d.Name}</strong>
                  <span class="pill">{d.Type === 0 ? "push" : "play"}</span>
                  <span class="spacer" />
                  {d.Type === 0 && (
                    <button
                      type="button"
                      aria-expanded={keysOf === d.Name}
                      onClick={() => setKeysOf(keysOf === d.Name ? null : d.Name)}
                    >
                      Push keys
                    </button>
                  )}
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Delete domain ${d.Name}`}
                    onClick={() => {
                      if (!window.confirm(`Delete ${d.Name}? Its callback rules stay.`)) return;
                      void change.run(async () => {
                        await call("DeleteLiveDomain", { DomainName: d.Name, DomainType: d.Type });
                        list.reload();
                        return `Deleted ${d.Name}.`;
                      });
                    }}
                  >
                    Delete
                  </button>
                </div>
                {keysOf === d.Name && <PushAuthForm domain={d.Name} />}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <PushUrlGenerator domains={domains} unregistered={unregistered.map((d) => d.Name)} />
    </>
  );
}
