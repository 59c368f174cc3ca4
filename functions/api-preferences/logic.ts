/**
 * GET and PUT /notifications/preferences: the caller's notification preferences (where to reach them,
 * which channels each category goes to, quiet hours), one row in `api.notification_preferences` on the
 * user's shard. PUT replaces the whole document (a field left out takes its default). The notifications
 * worker reads the row through the read-only proxy, cached for PREFERENCES_TTL_SECONDS: a change reaches
 * deliveries within that time. docs/api.md#notification-preferences.
 */
import type { Sql } from '@shared/clients/sql';
import { json, parseBody, router, userIdOf, type ErrorLog, type RestEvent } from '@shared/http/rest';
import { preferencesBody, preferencesFromBody, readPreferences, writePreferences } from '@shared/notifications/preferences';

export interface PreferencesDeps {
  /** The pool of the user's shard (the writer, or forwarding readers in the tertiary: reads see the user's writes). */
  readonly sqlFor: (userId: string) => Sql;
  readonly maxBodyBytes: number;
  readonly now?: () => Date;
}

export async function getPreferences(event: RestEvent, deps: PreferencesDeps) {
  const userId = userIdOf(event);
  const preferences = await readPreferences(deps.sqlFor(userId), userId);
  return json(200, { preferences, defaults: preferences.updatedAt === null });
}

export async function putPreferences(event: RestEvent, deps: PreferencesDeps) {
  const userId = userIdOf(event);
  const body = parseBody(event, preferencesBody, deps.maxBodyBytes);
  const now = (deps.now ?? (() => new Date()))();
  const preferences = await writePreferences(deps.sqlFor(userId), userId, preferencesFromBody(body, now));
  return json(200, { preferences, defaults: false });
}

export const preferencesRoutes = (log: ErrorLog) =>
  router<PreferencesDeps>(
    {
      'GET /notifications/preferences': getPreferences,
      'PUT /notifications/preferences': putPreferences,
    },
    log,
  );
