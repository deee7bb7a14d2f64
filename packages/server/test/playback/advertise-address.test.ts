import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadConfig } from "../../src/config/load-config.js";
import { advertisedHttpAddress } from "../../src/playback/advertise-address.js";

const interfaces = {
  lo: [
    {
      address: "127.0.0.1",
      netmask: "255.0.0.0",
      family: "IPv4",
      mac: "",
      internal: true,
      cidr: null,
    },
  ],
  eth0: [
    {
      address: "fe80::1",
      netmask: "ffff::",
      family: "IPv6",
      mac: "",
      internal: false,
      cidr: null,
      scopeid: 2,
    },
    {
      address: "10.1.2.3",
      netmask: "255.0.0.0",
      family: "IPv4",
      mac: "",
      internal: false,
      cidr: null,
    },
  ],
} as const;

describe("advertisedHttpAddress", () => {
  const at = (configured: string | undefined, httpHost = "0.0.0.0") =>
    advertisedHttpAddress({
      configured,
      httpHost,
      httpPort: 8080,
      interfaces: structuredClone(interfaces) as never,
    });

  test("as configured; a host without a port gets the listening port", () => {
    assert.equal(at("onair-a.internal:9000"), "onair-a.internal:9000");
    assert.equal(at("onair-a.internal"), "onair-a.internal:8080");
    assert.equal(at("[fd00::5]:9000"), "[fd00::5]:9000");
    assert.equal(at("fd00::5"), "[fd00::5]:8080");
  });

  test("unset: the listening host, or the first external IPv4 address for a wildcard", () => {
    assert.equal(at(undefined, "192.168.0.9"), "192.168.0.9:8080");
    assert.equal(at(undefined, "0.0.0.0"), "10.1.2.3:8080");
    assert.equal(at(undefined, "::"), "10.1.2.3:8080");
    assert.equal(
      advertisedHttpAddress({
        configured: undefined,
        httpHost: "0.0.0.0",
        httpPort: 1,
        interfaces: {},
      }),
      "127.0.0.1:1",
    );
  });

  test("cluster.advertiseAddress takes host or host:port, nothing else", () => {
    const load = (advertiseAddress: string) =>
      loadConfig({ env: {}, flags: { cluster: { advertiseAddress } } }).cluster.advertiseAddress;
    for (const ok of ["10.0.0.1", "10.0.0.1:8080", "node-a.internal", "[fd00::1]:80", "fd00::1"]) {
      assert.equal(load(ok), ok);
    }
    for (const bad of ["http://node-a:8080", "a b", "", "node-a/live"]) {
      assert.throws(() => load(bad), /advertiseAddress/);
    }
  });
});
