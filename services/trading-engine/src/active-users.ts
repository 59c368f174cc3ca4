/**
 * Users this task has seen trade recently: a signal, an order or a position change within the window.
 * The scaling metric is the sum over tasks, so a user must count on one task only: when a rebalance
 * takes a partition away, its users are forgotten here (the new owner counts them from its next record).
 */
interface Seen {
  readonly at: number;
  readonly partition: number;
}

export class ActiveUsers {
  /** Insertion order is last-seen order (a touch re-inserts), so expiry prunes from the front. */
  private readonly users = new Map<string, Seen>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  touch(userId: string, partition: number): void {
    this.users.delete(userId);
    this.users.set(userId, { at: this.now(), partition });
  }

  /** Active users right now (expired ones are dropped). */
  count(): number {
    const oldest = this.now() - this.windowMs;
    for (const [user, seen] of this.users) {
      if (seen.at > oldest) break;
      this.users.delete(user);
    }
    return this.users.size;
  }

  /** Keeps only users whose partition this task still owns. */
  retainPartitions(owned: Iterable<number>): void {
    const keep = new Set(owned);
    for (const [user, seen] of this.users) if (!keep.has(seen.partition)) this.users.delete(user);
  }
}
