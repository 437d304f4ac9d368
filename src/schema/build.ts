import { buildSchema, type ContainerType } from "type-graphql";
import { lexicographicSortSchema, type GraphQLSchema } from "graphql";
import { DeploymentResolver } from "../deployment/deployment.resolver";
import { LiveResolver } from "../live/live.resolver";
import { LiveSubscriptionResolver } from "../live/live.subscription";
import { AuthResolver } from "../auth/auth.resolver";
import { AuditResolver } from "../audit/audit.resolver";
import { RetentionResolver } from "../retention/retention.resolver";
import { LifecycleResolver } from "../deployment/lifecycle.resolver";
import { LiveAtResolver, LivePeriodResolver } from "../live/live-period.resolver";
import { scopeChecker } from "../auth/require-scopes";
import { VersionResolver } from "../version/version.resolver";
import { ViewerResolver } from "../viewer/viewer.resolver";
import { ReleaseQueriesResolver } from "../release/release-queries.resolver";
import { ChangeDiffResolver } from "../release/change-diff.resolver";
import { PinResolver } from "../release/pin.resolver";
import { FlagResolver } from "../release/flag.resolver";
import { WebhookDeliveryResolver, WebhookResolver } from "../webhook/webhook.resolver";
import { NodeResolver } from "../node/node.resolver";
import { ViewerCanResolver } from "../viewer/viewer-can.resolver";
import type { Services } from "../services";
import { withErrorCodes } from "./error-code";
import { scalarsMap } from "./scalars";

export const resolvers = [
  DeploymentResolver,
  VersionResolver,
  LiveResolver,
  LiveSubscriptionResolver,
  AuthResolver,
  ViewerResolver,
  ViewerCanResolver,
  NodeResolver,
  AuditResolver,
  LiveAtResolver,
  LivePeriodResolver,
  LifecycleResolver,
  RetentionResolver,
  WebhookResolver,
  WebhookDeliveryResolver,
  ReleaseQueriesResolver,
  ChangeDiffResolver,
  PinResolver,
  FlagResolver,
] as const;

/**
 * Builds the executable schema. Resolver classes take the services in their constructor;
 * `services` may be omitted when the schema is only printed.
 */
export async function buildWaymarkSchema(services?: Services): Promise<GraphQLSchema> {
  const instances = new Map<unknown, unknown>();
  const container: ContainerType = {
    get(someClass: new (services: Services) => unknown) {
      if (!services) throw new Error("schema built without services cannot execute");
      if (!instances.has(someClass)) instances.set(someClass, new someClass(services));
      return instances.get(someClass);
    },
  };
  const schema = await buildSchema({
    resolvers: [...resolvers],
    scalarsMap,
    authChecker: scopeChecker,
    container,
    // type-graphql demands a pubSub, but the one subscription brings its own `subscribe`
    // (live/live-subscriptions.ts: ordered replay + live stream), so this one is never used.
    pubSub: {
      publish: () => {
        throw new Error("unused: live changes go through LiveFanout");
      },
      subscribe: () => {
        throw new Error("unused: live changes go through LiveSubscriptions");
      },
    },
    // Fields left out of an input are "not given", never "invalid".
    validate: { skipMissingProperties: true, forbidUnknownValues: false },
  });
  return lexicographicSortSchema(withErrorCodes(schema));
}
