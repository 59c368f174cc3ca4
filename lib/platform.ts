/**
 * Builds the whole platform for one environment: the global stack, then one set of stacks per region,
 * each chosen by the region's role. bin/app.ts and the tests both call this, so what is tested is what
 * deploys.
 */
import type { App } from 'aws-cdk-lib';
import { REGION_ROLES, ROLE_CAPABILITIES, type DeployTarget, type PlatformConfig, type RegionRole } from './config';
import { applyCompliance } from './compliance';
import { Naming } from './naming';
import { ApiStack } from './stacks/api-stack';
import { ApplicationStack } from './stacks/application-stack';
import { DataStack } from './stacks/data-stack';
import { GlobalStack } from './stacks/global-stack';
import { IdentityStack } from './stacks/identity-stack';
import { MessagingStack } from './stacks/messaging-stack';
import { KeysStack } from './stacks/keys-stack';
import { NetworkStack } from './stacks/network-stack';
import { ObservabilityStack } from './stacks/observability-stack';
import { OperationsStack } from './stacks/operations-stack';
import { PlatformStack } from './stacks/platform-stack';
import { WorkersStack } from './stacks/workers-stack';

export interface RegionStacks {
  readonly role: RegionRole;
  readonly network: NetworkStack;
  readonly messaging: MessagingStack;
  readonly keys: KeysStack;
  readonly data: DataStack;
  /** Only in the regions that run the trading core (the engine). */
  readonly application?: ApplicationStack;
  /** Only in the primary: the Cognito user pool and the billing webhook secret. */
  readonly identity?: IdentityStack;
  /** In every region: REST and WebSocket APIs, authorizer, WAF. */
  readonly api?: ApiStack;
  /** Every region: alarm topics, alarms, canaries, dashboards (docs/operations.md). */
  readonly observability: ObservabilityStack;
  /** Only in the regions that run the trading core: the event workers (docs/workers/README.md). */
  readonly workers?: WorkersStack;
  /** Only in the regions that can take over (the failover runbooks). */
  readonly operations?: OperationsStack;
}

export interface Platform {
  readonly global: GlobalStack;
  readonly regions: readonly RegionStacks[];
  readonly stacks: readonly PlatformStack[];
}

export function buildPlatform(app: App, config: PlatformConfig, target: DeployTarget): Platform {
  const naming = Naming.of(config);
  const global = new GlobalStack(app, naming.globalStackId, { config, target });
  const regions = REGION_ROLES.map((role): RegionStacks => {
    const region = config.regions[role].region;
    const base = { config, target, role };
    const network = new NetworkStack(app, naming.regionStackId(region, 'network'), base);
    const keys = new KeysStack(app, naming.regionStackId(region, 'keys'), base);
    const data = new DataStack(app, naming.regionStackId(region, 'data'), base);
    const messaging = new MessagingStack(app, naming.regionStackId(region, 'messaging'), base);
    // Ordering only: stacks read each other's values from SSM, never through exports.
    data.addStackDependency(network);
    data.addStackDependency(keys);
    messaging.addStackDependency(network);
    // Observability watches everything by name; at deploy time it needs only the ops bus (messaging) and,
    // where the engine runs, the engine's log group (application). The canaries read the API ids at run
    // time, so the api stack may come later; the operations stack pages through its topics.
    const observability = new ObservabilityStack(app, naming.regionStackId(region, 'observability'), base);
    observability.addStackDependency(messaging);
    const identity = role === 'primary' ? new IdentityStack(app, naming.regionStackId(region, 'identity'), base) : undefined;
    const api = new ApiStack(app, naming.regionStackId(region, 'api'), base);
    // The API reads the network's and data's parameters (and, in trading-core regions, MSK's and the kill switch).
    api.addStackDependency(data);
    api.addStackDependency(network);
    if (!ROLE_CAPABILITIES[role].runsTradingCore) return { role, network, keys, data, messaging, identity, api, observability };
    const application = new ApplicationStack(app, naming.regionStackId(region, 'application'), base);
    // The engine reads the network's, data's and messaging's parameters.
    application.addStackDependency(data);
    application.addStackDependency(messaging);
    api.addStackDependency(messaging);
    api.addStackDependency(application);
    observability.addStackDependency(application);
    // The workers read the VPC (network), the data key (keys), the shard map, proxies, client group and
    // tables (data) and the MSK cluster (messaging) at deploy time. Observability alarms on their names and
    // the runbooks list their mappings at run time only: no ordering with those.
    const workers = new WorkersStack(app, naming.regionStackId(region, 'workers'), base);
    for (const producer of [network, keys, data, messaging]) workers.addStackDependency(producer);
    if (!ROLE_CAPABILITIES[role].canTakeOver) return { role, network, keys, data, messaging, application, identity, api, workers, observability };
    const operations = new OperationsStack(app, naming.regionStackId(region, 'operations'), base);
    // Rules on the ops bus (messaging), the runbook table and key (data), the kill switch and engine it
    // moves (application), pages through the severity topics (observability).
    operations.addStackDependency(messaging);
    operations.addStackDependency(data);
    operations.addStackDependency(application);
    operations.addStackDependency(observability);
    return { role, network, keys, data, messaging, application, identity, api, workers, observability, operations };
  });

  // Across regions, the writer region goes first where others join what it creates.
  const writer = regions.find((r) => ROLE_CAPABILITIES[r.role].isWriterRegion)!;
  for (const r of regions) {
    if (r === writer) continue;
    // The writer's data stack names every region's key (global table and secret replicas); the others
    // join its global cluster and global datastore.
    writer.data.addStackDependency(r.keys);
    r.data.addStackDependency(writer.data);
    // The Replicator's region reads the writer region's messaging parameters.
    if (ROLE_CAPABILITIES[r.role].runsTradingCore) r.messaging.addStackDependency(writer.messaging);
    // The writer's operations stack forwards its health signals to the ops bus of the region that takes over.
    if (ROLE_CAPABILITIES[r.role].canTakeOver) writer.operations?.addStackDependency(r.messaging);
  }
  // Every region's API reads the user pool's ids from the primary at deploy time; the identity stack
  // replicates the billing webhook secret that every region's webhook reads.
  const identity = writer.identity!;
  for (const r of regions) r.api!.addStackDependency(identity);
  const stacks = app.node.children.filter((c): c is PlatformStack => c instanceof PlatformStack);
  applyCompliance(app);
  return { global, regions, stacks };
}
