/**
 * The API tier's config section (lib/stacks/api-stack.ts, lib/stacks/identity-stack.ts): stage throttling,
 * usage plans per client tier, WAF rate limit, body size cap, cache TTLs, WebSocket connection lifetime and
 * the optional custom domain. Ranges are what API Gateway, WAF and Cognito accept, or what the blueprint asks.
 */
import { z } from 'zod';

const throttle = z.strictObject({
  /** Steady-state requests per second. */
  rateLimit: z.number().int().min(1).max(100_000),
  /** Requests a client may send at once above the rate. */
  burstLimit: z.number().int().min(1).max(50_000),
});

const usagePlan = z.strictObject({
  /** The client tier, e.g. `free`, `pro`: names the usage plan and its API key. */
  name: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'expected 2-31 lowercase letters, digits or -, starting with a letter'),
  throttle,
  /** Requests per day; null: no quota. */
  dailyQuota: z.number().int().min(1).nullable(),
});

const certificateArn = z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, 'expected an ACM certificate ARN');

export const apiSchema = z
  .strictObject({
    /** The stage's default method throttling (every client together). */
    stageThrottle: throttle,
    /** One usage plan and API key per client tier; clients send the key in `x-api-key`. At least one. */
    usagePlans: z.array(usagePlan).min(1, 'at least one usage plan (client tier) is needed'),
    waf: z.strictObject({
      /** Requests per 5 minutes from one IP before WAF blocks it (WAF accepts 10 to 2,000,000,000). */
      rateLimitPer5Minutes: z.number().int().min(10).max(2_000_000_000),
    }),
    /** Bodies larger than this are refused with 413 before any parsing. */
    maxBodyBytes: z.number().int().min(256).max(10 * 1024 * 1024, 'API Gateway accepts at most 10 MiB'),
    cache: z.strictObject({
      /** Valkey TTL of a user's positions (the blueprint: 60 s). */
      positionsTtlSeconds: z.number().int().min(1).max(86_400),
      /** Valkey TTL of a user's performance figures (the blueprint: 300 s). */
      performanceTtlSeconds: z.number().int().min(1).max(86_400),
      /** The in-memory L1 cache of a function instance: how long an entry lives, how many are kept. */
      l1TtlSeconds: z.number().int().min(0).max(60),
      l1MaxEntries: z.number().int().min(0).max(100_000),
    }),
    webSocket: z.strictObject({
      /** A connection record expires (DynamoDB TTL) this long after connect; API Gateway closes at 2 h. */
      connectionTtlMinutes: z.number().int().min(1).max(24 * 60),
    }),
    /** Signed-in sessions: Cognito access/id token lifetime. */
    tokenValidityMinutes: z.number().int().min(5).max(24 * 60, 'Cognito accepts 5 minutes to 1 day'),
    /** Off by default; when set, each region serves the same name, chosen by Route 53 latency records. */
    customDomain: z
      .strictObject({
        domainName: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'expected a DNS name such as api.example.com'),
        hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'expected a Route 53 hosted zone id such as Z0123456789ABC'),
        hostedZoneName: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'expected the hosted zone name such as example.com'),
        /** A regional ACM certificate for domainName in each region. */
        certificateArns: z.strictObject({ primary: certificateArn, secondary: certificateArn, tertiary: certificateArn }),
      })
      .nullable(),
  })
  .superRefine((api, ctx) => {
    const seen = new Set<string>();
    api.usagePlans.forEach((plan, i) => {
      if (seen.has(plan.name)) ctx.addIssue({ code: 'custom', path: ['usagePlans', i, 'name'], message: `duplicate usage plan "${plan.name}"` });
      seen.add(plan.name);
      if (plan.throttle.rateLimit > api.stageThrottle.rateLimit) {
        ctx.addIssue({ code: 'custom', path: ['usagePlans', i, 'throttle', 'rateLimit'], message: `cannot exceed the stage's ${api.stageThrottle.rateLimit} requests/s` });
      }
    });
    if (api.stageThrottle.burstLimit < api.stageThrottle.rateLimit / 10) {
      ctx.addIssue({ code: 'custom', path: ['stageThrottle', 'burstLimit'], message: 'should be at least a tenth of rateLimit' });
    }
    const { customDomain } = api;
    if (customDomain && !(customDomain.domainName === customDomain.hostedZoneName || customDomain.domainName.endsWith(`.${customDomain.hostedZoneName}`))) {
      ctx.addIssue({ code: 'custom', path: ['customDomain', 'domainName'], message: `must be in the hosted zone ${customDomain.hostedZoneName}` });
    }
  });

export type ApiConfig = z.infer<typeof apiSchema>;
