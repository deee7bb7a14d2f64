import { useState } from "preact/hooks";
import { signIn } from "../api.js";
import { ErrorMessage, Field } from "../components/ui.js";

/** The only thing shown without a session. */
export function SignInPage(props: { onSignedIn: () => void }) {
  const [mode, setMode] = useState<"keys" | "token">("keys");
  const [secretId, setSecretId] = useState("");
  const [secretKey, setSecretKey] = useState("");
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(
        mode === "keys" ? { SecretId: secretId.trim(), SecretKey: secretKey } : { Token: token },
      );
      props.onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form class="card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to OnAir</h1>
        <p class="hint">
          Use the management credentials <code>onair start</code> printed (also in{" "}
          <code>data/credentials.json</code>), or the SecretKey alone as a token.
        </p>
        <fieldset class="tabs">
          <legend class="sr-only">Sign in with</legend>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === "keys"}
              onChange={() => setMode("keys")}
            />{" "}
            Management keys
          </label>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === "token"}
              onChange={() => setMode("token")}
            />{" "}
            Token
          </label>
        </fieldset>
        {mode === "keys" ? (
          <>
            <Field label="SecretId">
              <input
                name="secretId"
                autoComplete="username"
                required
                value={secretId}
                onInput={(e) => setSecretId(e.currentTarget.value)}
              />
            </Field>
            <Field label="SecretKey">
              <input
                name="secretKey"
                type="password"
                autoComplete="current-password"
                required
                value={secretKey}
                onInput={(e) => setSecretKey(e.currentTarget.value)}
              />
            </Field>
          </>
        ) : (
          <Field label="Token">
            <input
              name="token"
              type="password"
              autoComplete="current-password"
              required
              value={token}
              onInput={(e) => setToken(e.currentTarget.value)}
            />
          </Field>
        )}
        <ErrorMessage error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
