import type { AuthService } from "./auth/auth.service";
import type { KeyRevocations } from "./auth/revocations";
import type { Database } from "./db/database";
import { DeploymentService } from "./deployment/deployment.service";
import { DeploymentLifecycle } from "./deployment/lifecycle";
import type { LiveEvents } from "./live/live-events";
import { LiveService } from "./live/live.service";
import { VersionService } from "./version/version.service";
import type { WebhookService } from "./webhook/webhook.service";
import { PinService } from "./release/pin.service";
import { FlagService } from "./release/flag.service";

/** Everything a resolver may call; built once per server from its database, events and clock. */
export interface Services {
  db: Database;
  auth: AuthService;
  revocations: KeyRevocations;
  deployments: DeploymentService;
  lifecycle: DeploymentLifecycle;
  versions: VersionService;
  live: LiveService;
  webhooks: WebhookService;
  pins: PinService;
  flags: FlagService;
}

export function createServices(
  db: Database,
  events: LiveEvents,
  now: () => Date,
  auth: AuthService,
  revocations: KeyRevocations,
  webhooks: WebhookService,
  /** Versions whose bodies a delete erased, for the instances' version caches. */
  bodiesErased: (versionIds: number[]) => void = () => undefined,
): Services {
  return {
    db,
    auth,
    revocations,
    deployments: new DeploymentService(db, events, now),
    lifecycle: new DeploymentLifecycle(db, events, now, bodiesErased),
    versions: new VersionService(db, events, now),
    live: new LiveService(db, events, now),
    webhooks,
    pins: new PinService(db, events, now),
    flags: new FlagService(db, now),
  };
}
