/**
 * The dashboard's only way to talk to OnAir: `POST /dashboard/api/<Action>` with the session
 * cookie. Actions are those of the management API (docs/api.md) plus the Dashboard* ones.
 */

/** An error the server reported, with its code (`ONAIR_ERR_*`, docs/errors.md) and its message. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Fired on window when a call comes back 401: the app falls back to the sign-in form. */
export const SIGNED_OUT_EVENT = "onair:signed-out";

async function post(path: string, body: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError("NetworkError", "OnAir cannot be reached", 0);
  }
  // Errors have OnAir's one error body: {"error":{"code":"ONAIR_ERR_…","message":"…"}}.
  const reply = (await res.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string };
  };
  if (!res.ok || reply.error) {
    if (res.status === 401 && path !== "/dashboard/session") {
      window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    }
    throw new ApiError(
      reply.error?.code ?? "HttpError",
      reply.error?.message ?? `HTTP ${res.status}`,
      res.status,
    );
  }
  return reply;
}

/** Runs one action; resolves with its Response fields. */
export function call<T>(action: string, params: object = {}): Promise<T> {
  return post(`/dashboard/api/${encodeURIComponent(action)}`, params) as Promise<T>;
}

export function signIn(
  credentials: { SecretId: string; SecretKey: string } | { Token: string },
): Promise<unknown> {
  return post("/dashboard/session", credentials);
}

export function signOut(): Promise<unknown> {
  return post("/dashboard/session/end", {});
}
