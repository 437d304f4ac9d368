import { describe, expect, it } from "vitest";
import type { AuthService } from "../../src/auth/auth.service";
import { Authenticator } from "../../src/auth/authenticator";
import { FailedAuthLimiter } from "../../src/auth/failed-auth-limiter";
import type { Principal } from "../../src/auth/principal";
import { KeyScope } from "../../src/auth/scopes";
import { ErrorCode } from "../../src/errors";

const operator: Principal = { workspaceId: 1, actor: "anonymous", scopes: new Set([KeyScope.ADMIN]), keyId: null, operator: true };
const connectionLost = () => Object.assign(new Error("Connection lost"), { code: "PROTOCOL_CONNECTION_LOST" });

describe("Authenticator with authentication off", () => {
  it("answers UNAVAILABLE while the operator workspace cannot be read, and reads it again on the next request", async () => {
    let reads = 0;
    const service = {
      anonymousPrincipal: async () => {
        reads++;
        if (reads === 1) throw connectionLost();
        return operator;
      },
    } as unknown as AuthService;
    const authenticator = new Authenticator(service, new FailedAuthLimiter(30), true);
    const first = await authenticator.authenticate(undefined, "127.0.0.1");
    expect(first.principal).toBeNull();
    expect(first.failure).toMatchObject({ code: ErrorCode.UNAVAILABLE, details: { retryable: true } });
    expect((await authenticator.authenticate(undefined, "127.0.0.1")).principal).toBe(operator);
    expect((await authenticator.authenticate(undefined, "127.0.0.1")).principal).toBe(operator);
    expect(reads).toBe(2);
  });
});
