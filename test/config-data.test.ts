/** The data section of the config: its values per environment and the shapes AWS would refuse. */
import { ConfigError, GLOBAL_DATASTORE_ID_PREFIX, loadConfig, validateConfig } from '../lib/config';
import { prod } from '../lib/config/environments/prod';

function prodWith(change: (c: any) => void): unknown {
  const copy = structuredClone(prod);
  change(copy);
  return copy;
}

function messageOf(raw: unknown): string {
  try {
    validateConfig(raw, 'lib/config/environments/prod.ts');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('data config per environment', () => {
  it('prod carries the blueprint: writer + 2 / 2 / 1 readers, 3 cache shards x 1 replica, a global datastore', () => {
    const { data } = loadConfig('prod');
    expect(data.aurora.instances).toEqual({
      primary: { readers: 2, maxReaders: 6 },
      secondary: { readers: 2, maxReaders: 6 },
      tertiary: { readers: 1, maxReaders: 4 },
    });
    expect(data.aurora.writeForwarding).toEqual(['tertiary']);
    expect(data.aurora.globalDbRpoSeconds).toBe(300);
    expect(data.cache).toMatchObject({ engine: 'valkey', shards: 3, replicasPerShard: { primary: 1, secondary: 1 }, globalDatastore: 'primaryAndSecondary' });
    expect(data).toMatchObject({ deletionProtection: true, backup: { retentionDays: 30, vaultLock: 'compliance' } });
  });

  it('keeps 30 days of backups and point-in-time recovery everywhere, protection in staging and prod only', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const { data } = loadConfig(env);
      expect([data.aurora.backupRetentionDays, data.backup.retentionDays]).toEqual([30, 30]);
      expect(data.deletionProtection).toBe(env !== 'dev');
    }
  });

  it('dev is small: serverless Aurora, a small regional cache per region, no global datastore', () => {
    const { data } = loadConfig('dev');
    expect(data.aurora).toMatchObject({ instanceClass: 'db.serverless', serverlessCapacity: { minAcu: 0.5, maxAcu: 4 } });
    expect(data.cache).toMatchObject({ nodeType: 'cache.t4g.small', shards: 1, globalDatastore: 'off' });
  });

  it('knows the global datastore id prefix of every default primary region', () => {
    for (const env of ['dev', 'staging', 'prod']) expect(GLOBAL_DATASTORE_ID_PREFIX[loadConfig(env).regions.primary.region]).toBeDefined();
  });
});

describe('data validation refuses what AWS refuses', () => {
  it('an engine older than the 16 line (no global write forwarding in every minor)', () => {
    expect(messageOf(prodWith((c) => (c.data.aurora.engineVersion = '15.3')))).toContain(
      'data.aurora.engineVersion = "15.3": expected an Aurora PostgreSQL version of the 16 line or newer',
    );
  });

  it('a burstable or too small instance class in a global database', () => {
    for (const cls of ['db.t4g.medium', 'db.r6g.medium', 'db.m6g.large']) {
      expect(messageOf(prodWith((c) => (c.data.aurora.instanceClass = cls)))).toContain(
        `data.aurora.instanceClass = "${cls}": an Aurora global database needs memory-optimized instances of size large or bigger`,
      );
    }
  });

  it('db.serverless without a capacity, and a capacity without db.serverless', () => {
    expect(messageOf(prodWith((c) => (c.data.aurora.instanceClass = 'db.serverless')))).toContain(
      'data.aurora.serverlessCapacity is missing: db.serverless needs serverlessCapacity (minAcu, maxAcu)',
    );
    expect(messageOf(prodWith((c) => (c.data.aurora.serverlessCapacity = { minAcu: 1, maxAcu: 4 })))).toContain(
      'data.aurora.serverlessCapacity = {"minAcu":1,"maxAcu":4}: only db.serverless takes a serverless capacity',
    );
  });

  it('a cluster without a reader (auto scaling needs one) or a ceiling below the floor', () => {
    expect(messageOf(prodWith((c) => (c.data.aurora.instances.tertiary.readers = 0)))).toContain(
      'data.aurora.instances.tertiary.readers = 0: reader auto scaling needs at least one reader to exist',
    );
    expect(messageOf(prodWith((c) => (c.data.aurora.instances.secondary = { readers: 3, maxReaders: 2 })))).toContain(
      'data.aurora.instances.secondary.maxReaders = 2: maxReaders must be at least readers',
    );
  });

  it('more replicas than a global primary cluster holds', () => {
    expect(messageOf(prodWith((c) => (c.data.aurora.instances.primary.maxReaders = 14)))).toContain(
      'data.aurora.instances.primary.maxReaders = 14: the primary cluster holds at most 15 replicas less one per secondary region (13)',
    );
  });

  it('write forwarding into the writer region itself', () => {
    expect(messageOf(prodWith((c) => (c.data.aurora.writeForwarding = ['primary'])))).toMatch(/data\.aurora\.writeForwarding\.0 = "primary": /);
  });

  it('an RPO below what Aurora accepts', () => {
    expect(messageOf(prodWith((c) => (c.data.aurora.globalDbRpoSeconds = 10)))).toContain(
      'data.aurora.globalDbRpoSeconds = 10: Aurora accepts an RPO of 20 seconds or more',
    );
  });

  it('a backup retention Aurora does not offer and a Performance Insights period it does not offer', () => {
    expect(messageOf(prodWith((c) => (c.data.aurora.backupRetentionDays = 36)))).toContain(
      'data.aurora.backupRetentionDays = 36: Aurora keeps 1 to 35 days of automated backups',
    );
    expect(messageOf(prodWith((c) => (c.data.aurora.performanceInsightsRetentionDays = 30)))).toContain(
      'data.aurora.performanceInsightsRetentionDays = 30: expected 7, a multiple of 31 up to 713, or 731',
    );
  });

  it('more shards than the shard map parameter holds', () => {
    expect(messageOf(prodWith((c) => (c.data.aurora.shards = 9)))).toContain('data.aurora.shards = 9: at most 8 shards');
  });

  it('a global datastore on nodes below large or outside the supported families', () => {
    for (const nodeType of ['cache.t4g.medium', 'cache.r7g.medium', 'cache.m4.large']) {
      expect(messageOf(prodWith((c) => (c.data.cache.nodeType = nodeType)))).toContain(
        `data.cache.nodeType = "${nodeType}": a global datastore needs nodes of size large or bigger in the m5, m6g, m7g, r5, r6g, r6gd, r7g, c7gn families`,
      );
    }
  });

  it('small nodes are fine for a regional cache', () => {
    expect(() =>
      validateConfig(
        prodWith((c) => {
          c.data.cache.nodeType = 'cache.t4g.small';
          c.data.cache.globalDatastore = 'off';
        }),
        'prod',
      ),
    ).not.toThrow();
  });

  it('a serverless cache (a global datastore is node-based only)', () => {
    expect(messageOf(prodWith((c) => (c.data.cache.nodeType = 'serverless')))).toContain(
      'data.cache.nodeType = "serverless": expected a node type such as cache.r7g.large (node-based: serverless caches cannot join a global datastore)',
    );
  });

  it('a shard without a replica (no Multi-AZ failover)', () => {
    expect(messageOf(prodWith((c) => (c.data.cache.replicasPerShard.secondary = 0)))).toContain(
      'data.cache.replicasPerShard.secondary = 0: Multi-AZ with automatic failover needs a replica per shard',
    );
  });

  it('a Valkey version ElastiCache does not offer', () => {
    expect(messageOf(prodWith((c) => (c.data.cache.engineVersion = '7.1')))).toContain('data.cache.engineVersion = "7.1": ElastiCache offers Valkey 7.2 and newer');
  });

  it('a global datastore created in a region whose id prefix is unknown', () => {
    const msg = messageOf(
      prodWith((c) => {
        c.regions.primary = { region: 'eu-south-2', availabilityZones: ['eu-south-2a', 'eu-south-2b', 'eu-south-2c'], vpcCidr: '10.30.0.0/16' };
      }),
    );
    expect(msg).toContain('data.cache.globalDatastore = "primaryAndSecondary": the global datastore id prefix of eu-south-2 is not known');
  });

  it('prod without deletion protection or without a vault lock', () => {
    expect(messageOf(prodWith((c) => (c.data.deletionProtection = false)))).toContain('data.deletionProtection = false: prod data must be protected from deletion');
    expect(messageOf(prodWith((c) => (c.data.backup.vaultLock = 'off')))).toContain('data.backup.vaultLock = "off": prod backups must be locked against deletion');
  });
});
