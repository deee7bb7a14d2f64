import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type ApiServer,
  endpointClient,
  type LiveClient,
  startApiServer,
} from "./helpers/api-server.js";

async function rejectsWith(call: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(call, (err: { code?: string; message?: string }) => {
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message ?? "", message);
    return true;
  });
}

/** The forward-rule actions through the official SDK (docs/relay.md, "API actions"). */
describe("forward rules API", () => {
  let api: ApiServer;
  let client: LiveClient;
  before(async () => {
    api = await startApiServer();
    client = endpointClient(api.port);
  });
  after(async () => {
    await api.close();
  });

  test("create, list (domain case-insensitive, ISO times), delete", async () => {
    await client.request("CreateLiveForwardRule", {
      DomainName: "Push.Example.com",
      AppName: "live",
      TargetUrl: "rtmp://cdn.example.com/live?key=1",
    });
    await client.request("CreateLiveForwardRule", {
      DomainName: "push.example.com",
      AppName: "",
      TargetUrl: "rtmps://x.example.com/app/{StreamName}_hd",
    });
    const listed = (await client.request("DescribeLiveForwardRules", {
      DomainName: "PUSH.example.com",
    })) as {
      Rules: { DomainName: string; AppName: string; TargetUrl: string; CreateTime: string }[];
    };
    assert.deepEqual(
      listed.Rules.map((r) => [r.DomainName, r.AppName, r.TargetUrl]),
      [
        ["push.example.com", "live", "rtmp://cdn.example.com/live?key=1"],
        ["push.example.com", "", "rtmps://x.example.com/app/{StreamName}_hd"],
      ],
    );
    assert.match(listed.Rules[0]?.CreateTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await client.request("DeleteLiveForwardRule", {
      DomainName: "push.example.com",
      AppName: "live",
      TargetUrl: "rtmp://cdn.example.com/live?key=1",
    });
    await rejectsWith(
      client.request("DeleteLiveForwardRule", {
        DomainName: "push.example.com",
        AppName: "live",
        TargetUrl: "rtmp://cdn.example.com/live?key=1",
      }),
      "ResourceNotFound",
    );
    const targets = (await client.request("DescribeLiveForwardTargets", {})) as {
      Targets: unknown[];
      TotalNum: number;
    };
    assert.deepEqual([targets.Targets, targets.TotalNum], [[], 0]);
  });

  test("refusals: an unusable URL, the same target twice, a 17th target", async () => {
    const rule = (TargetUrl: string) =>
      client.request("CreateLiveForwardRule", {
        DomainName: "a.example.com",
        AppName: "x",
        TargetUrl,
      });
    await rejectsWith(rule("http://cdn.example.com/live"), "InvalidParameterValue", /scheme http:/);
    await rejectsWith(rule("rtmp://cdn.example.com"), "InvalidParameterValue", /no stream name/);
    await rule("rtmp://cdn.example.com/live");
    await rejectsWith(rule("rtmp://cdn.example.com/live"), "InternalError.RuleAlreadyExist");
    for (let i = 1; i < 16; i++) await rule(`rtmp://cdn${i}.example.com/live`);
    await rejectsWith(rule("rtmp://one-too-many.example.com/live"), "LimitExceeded", /16/);
  });
});
