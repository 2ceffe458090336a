/**
 * Where a deployment's release state lives, and how overlapping polls are fenced.
 *
 * Design note. On AWS two invocations of the controller can run for one deployment at the
 * same time: CloudFormation cancels an update and sends its rollback while the cancelled
 * request's waiter still polls, and a Lambda retried by its caller can overlap the first
 * attempt. Each poll reads the state, reads the world and writes the rule, so a poll of a
 * superseded request that read the state before the new request claimed it could still write
 * its stale traffic split after the new request finished (what the interleaving test finds
 * with the fence switched off: ModifyRule from the cancelled request after the rollback
 * claimed the deployment). A version check on the state alone cannot stop that, because the
 * listener rule has no conditional write: the stale poll's ModifyRule lands whatever the
 * state says by then.
 *
 * So the state is one DynamoDB item per deployment with a version, and a poll that writes
 * holds a lease on it:
 * - A poll reads the item (one strongly consistent GetItem) and works from it. A poll that
 *   only waits (health checks pending, a step not yet due) writes nothing.
 * - Its first write takes the lease, in one conditional UpdateItem: the lease must be free,
 *   expired or already its own, and the version still the one it read. If another poll holds
 *   the lease or wrote the state since (a new request claimed the deployment), the write fails
 *   and the poll stops, having changed nothing. Every later state write is conditional on
 *   holding the lease and bumps the version; the poll's last write saves the state and gives
 *   the lease up together. A poll whose only write is its final save makes that one write,
 *   conditional on the version, and never holds the lease.
 * - The writes DynamoDB cannot fence (the listener rule, a desired capacity) are made only
 *   while the lease has at least WRITE_WINDOW_MS left, renewing it first if need be. That is
 *   longer than the longest an SDK call can take with the controller's client settings (three
 *   attempts of at most 3 s to connect and 10 s to answer, the SDK's back-off and its adaptive
 *   rate limiter's waits: under 50 s), so such a write lands before its lease can expire and
 *   pass to another poll. A poll that dies holds the lease until it expires: the next one waits
 *   at most LEASE_MS.
 * So a superseded request's poll either finished before the new request's claim, or fails its
 * first write after it: it cannot change traffic or state once the newer request owns the
 * deployment.
 *
 * Why DynamoDB: its conditional writes are atomic per item ("the write succeeds only if the
 * condition is met", Expressions.ConditionExpressions.html), on-demand tables take a thousand
 * writes a second per item where SSM Parameter Store's default throughput is shared by the
 * whole account, and an item holds 400 KB where a standard SSM parameter holds 4 KB.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 *
 * Writes per poll: 0 when it waits, 1 when its state changes without a rule write, 2 when it
 * writes the rule (the lease taken with the pending write saved; the result saved as the lease
 * is given up), 3 in the poll that claims a request and both resizes and attaches (measured in
 * test/handlers/state-writes.test.ts). Before this (state in SSM) a poll wrote up to 4 times,
 * against Parameter Store throughput shared by the whole account.
 *
 * Every conditional write here survives the SDK's own retry of an attempt whose response was
 * lost: the retry then fails its condition, and the item it returns (ReturnValuesOnCondition-
 * CheckFailure ALL_OLD) shows whether the lost attempt was this poll's own.
 */
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, GetItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { aws } from './clients';
import { STATE_TABLE_KEY } from '../../../release-contract/release-properties';
import { now } from '../clock';
import { LeaseHeld, LeaseLost, StateStoreRefused, hasErrorName, isTransient } from '../errors';
import { log } from '../log';

/** How long a lease lasts from its last renewal. */
export const LEASE_MS = 60_000;

/** A write the lease cannot fence needs this much lease left (see the design note). */
export const WRITE_WINDOW_MS = 50_000;

// The item's attributes besides its key (STATE_TABLE_KEY, the table's partition key).
const STATE = 'State';
const VERSION = 'Version';
const HOLDER = 'LeaseHolder';
const UNTIL = 'LeaseUntil';

const NAMES = { '#state': STATE, '#version': VERSION, '#holder': HOLDER, '#until': UNTIL };

/** One poll's view of a deployment's item, and its lease once it writes. */
export class StateLease {
  /** Read the item (strongly consistent): the state and its version, nothing taken yet. */
  public static async open(table: string, deployment: string, holderPrefix: string): Promise<StateLease> {
    const lease = new StateLease(table, deployment, `${holderPrefix}/${randomUUID()}`);
    const out = await aws().dynamoDb.send(new GetItemCommand({ TableName: table, Key: lease.key(), ConsistentRead: true }))
      .catch((error: unknown) => {
        throw refusal(table, 'GetItem', error);
      });
    lease.storedValue = out.Item?.[STATE]?.S;
    lease.version = out.Item?.[VERSION]?.N !== undefined ? Number(out.Item[VERSION].N) : undefined;
    return lease;
  }

  /** The state's JSON as read; undefined when there is none. */
  public storedValue?: string;
  /** The item's version as read (undefined: no item), then as this poll wrote it. */
  private version?: number;
  /** When this poll's lease ends; undefined while it holds none. */
  private until?: number;
  /** The poll is over (finished, deleted the item, or lost its lease): no more writes. */
  private closed = false;

  private constructor(private readonly table: string, private readonly deployment: string, readonly holder: string) {}

  /**
   * Make sure the lease outlasts a write that DynamoDB cannot fence (a rule or capacity
   * change) made from now: take it, or renew it when less than WRITE_WINDOW_MS is left.
   */
  public async hold(): Promise<void> {
    this.requireOpen();
    if (this.until === undefined || this.until - now() < WRITE_WINDOW_MS) {
      const until = now() + LEASE_MS;
      await this.write('SET #holder = :holder, #until = :until', { ':until': { N: String(until) } }, this.takeCondition(), undefined);
      this.until = until;
    }
  }

  /** Save the state and hold the lease (taking it if need be): before a rule write, or a claim. */
  public async save(value: string): Promise<void> {
    this.requireOpen();
    const until = now() + LEASE_MS;
    const next = (this.version ?? 0) + 1;
    const condition = this.until !== undefined ? '#holder = :holder' : this.takeCondition();
    await this.write('SET #state = :state, #version = :next, #holder = :holder, #until = :until',
      { ':state': { S: value }, ':next': { N: String(next) }, ':until': { N: String(until) } }, condition, value);
    this.version = next;
    this.until = until;
  }

  /** End the poll: save the state (when given) and give the lease up, in one write (or none). */
  public async finish(value?: string): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    const next = (this.version ?? 0) + 1;
    if (this.until !== undefined) {
      await (value === undefined
        ? this.write('REMOVE #holder, #until', {}, '#holder = :holder', undefined, true)
        : this.write('SET #state = :state, #version = :next REMOVE #holder, #until', { ':state': { S: value }, ':next': { N: String(next) } }, '#holder = :holder', value, true));
    } else if (value !== undefined) {
      // Never held: the write is conditional on no lease being held and the state unchanged.
      await this.write('SET #state = :state, #version = :next', { ':state': { S: value }, ':next': { N: String(next) } },
        `(attribute_not_exists(#holder) OR #until < :now) AND ${this.versionCondition()}`, value, true);
    }
    this.until = undefined;
  }

  /** Delete the item (the release resource is deleted), under the lease. */
  public async deleteItem(): Promise<void> {
    await this.hold();
    this.closed = true;
    try {
      await aws().dynamoDb.send(new DeleteItemCommand({
        TableName: this.table,
        Key: this.key(),
        ConditionExpression: '#holder = :holder',
        ExpressionAttributeNames: { '#holder': HOLDER },
        ExpressionAttributeValues: { ':holder': { S: this.holder } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
    } catch (error) {
      // No item left: an earlier attempt of this very delete took it (its response was lost).
      if (hasErrorName(error, 'ConditionalCheckFailedException') && oldItem(error) === undefined) {
        return;
      }
      throw hasErrorName(error, 'ConditionalCheckFailedException') ? this.lost(oldItem(error)) : refusal(this.table, 'DeleteItem', error);
    }
  }

  /** Take the lease: free, expired or already this poll's, and the state as this poll read it. */
  private takeCondition(): string {
    return `(attribute_not_exists(#holder) OR #until < :now OR #holder = :holder) AND ${this.versionCondition()}`;
  }

  private versionCondition(): string {
    return this.version === undefined ? 'attribute_not_exists(#version)' : '#version = :version';
  }

  private async write(
    update: string,
    values: Record<string, AttributeValue>,
    condition: string,
    value: string | undefined,
    releases = false,
  ): Promise<void> {
    const expressions = `${update} ${condition}`;
    const names = Object.fromEntries(Object.entries(NAMES).filter(([name]) => expressions.includes(name)));
    const all: Record<string, AttributeValue> = { ...values, ':holder': { S: this.holder }, ':now': { N: String(now()) } };
    if (this.version !== undefined) {
      all[':version'] = { N: String(this.version) };
    }
    try {
      await aws().dynamoDb.send(new UpdateItemCommand({
        TableName: this.table,
        Key: this.key(),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: Object.fromEntries(Object.entries(all).filter(([name]) => expressions.includes(name))),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
    } catch (error) {
      if (!hasErrorName(error, 'ConditionalCheckFailedException')) {
        throw refusal(this.table, 'UpdateItem', error);
      }
      const old = oldItem(error);
      // An earlier attempt of this very write landed (its response was lost): the item holds
      // exactly what this write made it, and the lease is this poll's or, for a write that
      // gives it up, nobody's.
      const leaseAsWritten = releases ? old?.[HOLDER] === undefined : old?.[HOLDER]?.S === this.holder;
      const stateAsWritten = value === undefined || old?.[STATE]?.S === value;
      if (old !== undefined && leaseAsWritten && stateAsWritten && (value === undefined || old[VERSION]?.N === String((this.version ?? 0) + 1))) {
        return;
      }
      throw this.lost(old);
    }
  }

  private requireOpen(): void {
    if (this.closed) {
      throw new LeaseLost(this.deployment);
    }
  }

  /** The condition failed: another poll holds the lease, or wrote since this one read. */
  private lost(old?: Record<string, AttributeValue>): LeaseLost | LeaseHeld {
    const held = this.until !== undefined;
    this.closed = true;
    this.until = undefined;
    if (held) {
      log.warn('lease lost to another poll; stopping', { deployment: this.deployment, holder: this.holder });
      return new LeaseLost(this.deployment);
    }
    const holder = old?.[HOLDER]?.S;
    return new LeaseHeld(this.deployment, holder && Number(old?.[UNTIL]?.N ?? 0) >= now()
      ? `another poll (${holder}) holds the lease until ${new Date(Number(old?.[UNTIL]?.N)).toISOString()} at the latest`
      : 'another poll wrote the release state since this poll read it');
  }

  private key(): Record<string, AttributeValue> {
    return { [STATE_TABLE_KEY]: { S: this.deployment } };
  }
}

/** A transient error as it is (the caller retries it); anything else as the table's refusal. */
function refusal(table: string, operation: string, error: unknown): unknown {
  return isTransient(error) ? error : new StateStoreRefused(table, operation, error);
}

/** The item a failed conditional write returned (ReturnValuesOnConditionCheckFailure ALL_OLD). */
function oldItem(error: unknown): Record<string, AttributeValue> | undefined {
  const item = (error as { Item?: Record<string, AttributeValue> }).Item;
  return item && Object.keys(item).length > 0 ? item : undefined;
}
