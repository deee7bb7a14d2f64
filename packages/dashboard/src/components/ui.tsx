import { type ComponentChildren, cloneElement, type VNode } from "preact";
import { useCallback, useEffect, useId, useState } from "preact/hooks";
import { ApiError, call } from "../api.js";

/** The server's message for a failed call, shown as an alert so screen readers announce it. */
export function ErrorMessage(props: { error: unknown }) {
  if (!props.error) return null;
  const error = props.error;
  const text =
    error instanceof ApiError
      ? `${error.message} (${error.code})`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

export function Notice(props: { text: string }) {
  return props.text ? (
    <p class="notice" role="status">
      {props.text}
    </p>
  ) : null;
}

/**
 * A labelled form field: the label names the one control passed as the child (given an id
 * here), and the hint describes it, so screen readers read both.
 */
export function Field(props: { label: string; hint?: string; children: VNode }) {
  const id = useId();
  return (
    <div class="field">
      <label class="field-label" for={id}>
        {props.label}
      </label>
      {cloneElement(props.children, {
        id,
        ...(props.hint ? { "aria-describedby": `${id}-hint` } : {}),
      })}
      {props.hint ? (
        <span class="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      ) : null}
    </div>
  );
}

export function Section(props: { title: string; children: ComponentChildren; id?: string }) {
  const id = props.id ?? `s-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** The result of one action call, reloaded when `deps` change or on demand. */
export function useAction<T>(
  action: string,
  params: object,
  deps: unknown[],
): { data: T | null; error: unknown; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let current = true;
    setLoading(true);
    call<T>(action, params)
      .then((result) => {
        if (!current) return;
        setData(result);
        setError(null);
      })
      .catch((err: unknown) => current && setError(err))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [action, tick, ...deps]);
  return { data, error, loading, reload };
}

/** Runs a state-changing call with a busy flag, an error and a success message. */
export function useMutation(): {
  busy: boolean;
  error: unknown;
  notice: string;
  run: (work: () => Promise<string | undefined>) => Promise<boolean>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");
  const run = useCallback(async (work: () => Promise<string | undefined>) => {
    setBusy(true);
    setError(null);
    setNotice("");
    try {
      setNotice((await work()) ?? "");
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, notice, run };
}
