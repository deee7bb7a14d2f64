import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import {
  type ApiServer,
  endpointClient,
  SECRET_ID,
  SECRET_KEY,
  startApiServer,
} from "./helpers/api-server.js";
import { signTc3 } from "./helpers/tc3-signer.js";

/** A request as it went over the wire, to be sent again. */
interface Captured {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Reply {
  Response: { Error?: { Code: string; Message: string }; RequestId: string } & Record<
    string,
    unknown
  >;
}

/** Sends a captured request to the API from `localAddress` (loopback has all of 127/8). */
function resend(
  api: ApiServer,
  captured: Captured,
  options: { localAddress: string; headers?: Record<string, string> },
): Promise<Reply> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(captured.headers)) {
    if (typeof value === "string") headers[name] = value;
  }
  Object.assign(headers, options.headers, { "content-length": String(captured.body.length) });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: api.port,
        method: "POST",
        path: "/",
        headers,
        localAddress: options.localAddress,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Reply));
      },
    );
    req.on("error", reject);
    req.end(captured.body);
  });
}

/**
 * A recording forward proxy in front of the API: what a TLS-terminating proxy, a debugging
 * tool or a request log would hold. The official SDK talks to it as its endpoint.
 */
async function startCapturingProxy(api: ApiServer): Promise<{
  port: number;
  captured: Captured[];
  close(): Promise<void>;
}> {
  const captured: Captured[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      captured.push({ headers: { ...req.headers }, body });
      const upstream = request(
        {
          host: "127.0.0.1",
          port: api.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: false,
        },
        (reply) => {
          res.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    captured,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const lastAction = (captured: Captured[], name: string): Captured => {
  const found = captured.findLast((c) => c.headers["x-tc-action"] === name);
  assert.ok(found, `the proxy saw ${name}`);
  return found;
};

describe("replayed and action-swapped TC3 signatures (issue 11, defect 7)", () => {
  let api: ApiServer;
  let proxy: Awaited<ReturnType<typeof startCapturingProxy>>;

  before(async () => {
    api = await startApiServer();
    proxy = await startCapturingProxy(api);
  });
  after(async () => {
    await proxy.close();
    await api.close();
  });

  test("a captured SDK AddLiveDomain resent as DeleteLiveDomain is refused; the domain stays", async () => {
    const sdk = endpointClient(proxy.port);
    await sdk.AddLiveDomain({ DomainName: "swap.example.com", DomainType: 0 });
    const captured = lastAction(proxy.captured, "AddLiveDomain");

    // The body {DomainName, DomainType} is valid for DeleteLiveDomain too, and the SDK's
    // SignedHeaders (content-type;host) do not cover X-TC-Action.
    assert.match(String(captured.headers.authorization), /SignedHeaders=content-type;host,/);
    const swapped = await resend(api, captured, {
      localAddress: "127.0.0.2",
      headers: { "x-tc-action": "DeleteLiveDomain" },
    });
    assert.equal(swapped.Response.Error?.Code, "AuthFailure.SignatureFailure");
    assert.match(swapped.Response.Error?.Message ?? "", /already used/);

    // Same client address, but later than the same-second grace: still refused.
    api.clock.offsetMs = api.config.api.replayGraceMs + 1000;
    try {
      const later = await resend(api, captured, {
        localAddress: "127.0.0.1",
        headers: { "x-tc-action": "DeleteLiveDomain" },
      });
      assert.equal(later.Response.Error?.Code, "AuthFailure.SignatureFailure");
    } finally {
      api.clock.offsetMs = 0;
    }

    const domains = await endpointClient(api.port).DescribeLiveDomains({});
    assert.deepEqual(
      domains.DomainList?.map((d) => d.Name),
      ["swap.example.com"],
    );
  });

  test("a captured SDK request replayed as it was is refused, from another client or later", async () => {
    const sdk = endpointClient(proxy.port);
    await sdk.AddLiveDomain({ DomainName: "replay.example.com", DomainType: 0 });
    await sdk.DeleteLiveDomain({ DomainName: "replay.example.com", DomainType: 0 });
    const captured = lastAction(proxy.captured, "AddLiveDomain");

    const replayed = await resend(api, captured, { localAddress: "127.0.0.3" });
    assert.equal(replayed.Response.Error?.Code, "AuthFailure.SignatureFailure");
    api.clock.offsetMs = api.config.api.replayGraceMs + 1000;
    try {
      const later = await resend(api, captured, { localAddress: "127.0.0.1" });
      assert.equal(later.Response.Error?.Code, "AuthFailure.SignatureFailure");
    } finally {
      api.clock.offsetMs = 0;
    }
    const domains = await endpointClient(api.port).DescribeLiveDomains({});
    assert.ok(!domains.DomainList?.some((d) => d.Name === "replay.example.com"));
  });

  test("the SDK's same-second calls with one body still work (describe, then delete by id)", async () => {
    const sdk = endpointClient(api.port);
    await sdk.AddLiveDomain({ DomainName: "same.example.com", DomainType: 0 });
    // Identical bodies in one second carry one signature; these come from the signer itself.
    const [a, b] = await Promise.all([
      sdk.DescribeLiveDomain({ DomainName: "same.example.com" }),
      sdk.DescribeLivePushAuthKey({ DomainName: "same.example.com" }),
    ]);
    assert.equal(a.DomainInfo?.Name, "same.example.com");
    assert.equal(b.PushAuthKeyInfo?.DomainName, "same.example.com");
    await sdk.DeleteLiveDomain({ DomainName: "same.example.com", DomainType: 0 });
  });
});

describe("api.requireSignedAction", () => {
  let api: ApiServer;
  before(async () => {
    api = await startApiServer({ api: { requireSignedAction: true } });
  });
  after(async () => {
    await api.close();
  });

  function signed(action: string, signAction: boolean): Captured {
    const timestamp = Math.floor(Date.now() / 1000);
    const body = Buffer.from("{}");
    const headers: Record<string, string> = {
      "content-type": "application/json",
      host: `127.0.0.1:${api.port}`,
      "x-tc-action": action,
      "x-tc-version": "2018-08-01",
      "x-tc-timestamp": String(timestamp),
    };
    const sign: Record<string, string> = {
      "content-type": "application/json",
      host: `127.0.0.1:${api.port}`,
    };
    if (signAction) sign["x-tc-action"] = action.toLowerCase();
    headers.authorization = signTc3({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      service: "live",
      timestamp,
      signed: sign,
      body,
    });
    return { headers, body };
  }

  test("SignedHeaders without x-tc-action → AuthFailure.InvalidAuthorization", async () => {
    const reply = await resend(api, signed("DescribeLiveDomains", false), {
      localAddress: "127.0.0.1",
    });
    assert.equal(reply.Response.Error?.Code, "AuthFailure.InvalidAuthorization");
    assert.match(reply.Response.Error?.Message ?? "", /x-tc-action/);
  });

  test("a signed action is accepted; the same signature with another action fails to verify", async () => {
    const request = signed("DescribeLiveDomains", true);
    const ok = await resend(api, request, { localAddress: "127.0.0.1" });
    assert.equal(ok.Response.Error, undefined);
    const swapped = await resend(api, request, {
      localAddress: "127.0.0.1",
      headers: { "x-tc-action": "DescribeLiveCallbackRules" },
    });
    assert.equal(swapped.Response.Error?.Code, "AuthFailure.SignatureFailure");
    assert.match(swapped.Response.Error?.Message ?? "", /does not match/);
  });
});
