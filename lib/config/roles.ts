/**
 * What each region role runs. Stacks ask these questions instead of comparing region names, so moving a
 * role to another region, or adding a capability to a role, is a change in one place.
 */
import type { RegionRole } from './schema';

export interface RoleCapabilities {
  /** Hosts the Aurora global writer and the MSK source cluster. */
  readonly isWriterRegion: boolean;
  /** Runs MSK and the trading engine (the tertiary serves the API tier only). */
  readonly runsTradingCore: boolean;
  /** May be promoted by the failover runbooks. */
  readonly canTakeOver: boolean;
  /**
   * The event workers' MSK mappings are deployed enabled here. Elsewhere they are deployed disabled (warm
   * standby: that region's Aurora is read-only until promoted, and two regions consuming would deliver
   * every notification twice); the DR runbook's moveConsumers step flips them.
   */
  readonly consumesEvents: boolean;
}

export const ROLE_CAPABILITIES: Readonly<Record<RegionRole, RoleCapabilities>> = {
  primary: { isWriterRegion: true, runsTradingCore: true, canTakeOver: true, consumesEvents: true },
  secondary: { isWriterRegion: false, runsTradingCore: true, canTakeOver: true, consumesEvents: false },
  tertiary: { isWriterRegion: false, runsTradingCore: false, canTakeOver: false, consumesEvents: false },
};
