/**
 * Where a deployment's release state lives, and how overlapping polls are fenced.
 *
 * Design note. On AWS two invocations of the controller can run for one deployment at the
 * same time: CloudFormation cancels an update and sends its rollback while the cancelled
 * request's waiter still polls, and a Lambda retried by its caller can overlap the first
 * attempt. Each poll reads the state, reads the world and writes the rule, so a poll of a
 * superseded request that read the state before the new request claimed it could still write
 * its stale traffic split after the new request finished (seen in the simulated interleavings:
 * a finished rollback, then 50/50 to a target group with no healthy target). A version check
 * on the state alone cannot stop that, because the listener rule has no conditional write:
 * the stale poll's ModifyRule lands whatever the state says by then.
 *
 * So each poll holds a lease on its deployment for as long as it acts. The lease is part of
 * the deployment's DynamoDB item, taken with one conditional UpdateItem (free, expired, or
 * already this invocation's), which also returns the state: there is no separate read. Every
 * state write is conditional on still holding the lease; the poll's last write saves the
 * state and gives the lease up in the same UpdateItem. A request claims the deployment only
 * while it holds the lease, and a poll that gets the lease re-reads the state under it, so a
 * superseded request's poll either finished before the claim or starts after it and sees that
 * it was superseded: it changes nothing. A poll that cannot get the lease answers "not yet".
 *
 * The writes that DynamoDB cannot fence (the listener rule, desired capacity) are made only
 * while the lease has at least WRITE_WINDOW_MS left, renewing it first if need be. That is
 * longer than the longest an SDK call can take with the controller's client settings (three
 * attempts of at most 3 s to connect and 10 s to answer, the SDK's back-off and its adaptive
 * rate limiter's waits: under 50 s), so a write lands before its lease can expire and pass to
 * another poll. A poll that dies holds the lease until it expires: the next one waits at most
 * LEASE_MS.
 *
 * Why DynamoDB: its conditional writes are atomic per item (the API reference's
 * ConditionExpression: "the write succeeds only if the condition is met"), on-demand tables
 * take thousands of writes a second where SSM Parameter Store's default throughput is shared
 * by the whole account, and an item holds 400 KB where a standard SSM parameter holds 4 KB.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
 *
 * Every conditional write here survives the SDK's own retry of an attempt whose response was
 * lost: the retry then fails its condition, and the item it returns (ReturnValuesOnCondition-
 * CheckFailure ALL_OLD) shows whether the lost attempt was this poll's own.
 */
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { aws } from './aws';
import { now } from './clock';
import { LeaseHeld, LeaseLost, hasErrorName } from './errors';
import { log } from './log';
import { STATE_TABLE_KEY } from '../../deployment/release-properties';

/** How long a lease lasts from its last renewal. */
export const LEASE_MS = 60_000;

/** A write the lease cannot fence needs this much lease left (see the design note). */
export const WRITE_WINDOW_MS = 50_000;

// The item's attributes besides its key (STATE_TABLE_KEY, the table's partition key).
const STATE = 'State';
const HOLDER = 'LeaseHolder';
const UNTIL = 'LeaseUntil';

const NAMES = { '#state': STATE, '#holder': HOLDER, '#until': UNTIL };

/** One poll's hold on a deployment's item. */
export class StateLease {
  /**
   * Take the lease (free, expired or already ours) and read the stored state in the same
   * conditional write. Throws LeaseHeld when another poll holds it.
   */
  public static async acquire(table: string, deployment: string, holderPrefix: string): Promise<StateLease> {
    const lease = new StateLease(table, deployment, `${holderPrefix}/${randomUUID()}`);
    lease.storedValue = await lease.take();
    return lease;
  }

  /** The state's JSON as stored when the lease was taken; undefined when there is none. */
  public storedValue?: string;
  private until = 0;
  private released = false;

  private constructor(private readonly table: string, private readonly deployment: string, readonly holder: string) {}

  /**
   * Make sure the lease outlasts a write that DynamoDB cannot fence (a rule or capacity
   * change) made from now: renew it when less than WRITE_WINDOW_MS is left.
   */
  public async hold(): Promise<void> {
    if (this.released) {
      throw new LeaseLost(this.deployment);
    }
    if (this.until - now() < WRITE_WINDOW_MS) {
      await this.take();
    }
  }

  /** Save the state, keeping the lease. */
  public async save(value: string): Promise<void> {
    await this.update('SET #state = :state', value, { ':state': { S: value } });
  }

  /** Save the state (when given) and give the lease up, in one write. */
  public async finish(value?: string): Promise<void> {
    if (this.released) {
      return;
    }
    this.released = true;
    if (value === undefined) {
      await this.update('REMOVE #holder, #until', undefined, {});
    } else {
      await this.update('SET #state = :state REMOVE #holder, #until', value, { ':state': { S: value } });
    }
  }

  /** Delete the item (the release resource is deleted): the lease goes with it. */
  public async deleteItem(): Promise<void> {
    this.released = true;
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
      throw this.lost(error);
    }
  }

  private async take(): Promise<string | undefined> {
    const t = now();
    const until = t + LEASE_MS;
    try {
      const out = await aws().dynamoDb.send(new UpdateItemCommand({
        TableName: this.table,
        Key: this.key(),
        UpdateExpression: 'SET #holder = :holder, #until = :until',
        ConditionExpression: 'attribute_not_exists(#holder) OR #until < :now OR #holder = :holder',
        ExpressionAttributeNames: { '#holder': HOLDER, '#until': UNTIL },
        ExpressionAttributeValues: { ':holder': { S: this.holder }, ':until': { N: String(until) }, ':now': { N: String(t) } },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      this.until = until;
      return out.Attributes?.[STATE]?.S;
    } catch (error) {
      if (hasErrorName(error, 'ConditionalCheckFailedException')) {
        const old = oldItem(error);
        throw new LeaseHeld(this.deployment, old?.[HOLDER]?.S ?? 'unknown', Number(old?.[UNTIL]?.N ?? 0));
      }
      throw error;
    }
  }

  private async update(expression: string, value: string | undefined, values: Record<string, AttributeValue>): Promise<void> {
    const names = Object.fromEntries(Object.entries(NAMES).filter(([name]) => expression.includes(name) || name === '#holder'));
    try {
      await aws().dynamoDb.send(new UpdateItemCommand({
        TableName: this.table,
        Key: this.key(),
        UpdateExpression: expression,
        ConditionExpression: '#holder = :holder',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ':holder': { S: this.holder } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
    } catch (error) {
      if (hasErrorName(error, 'ConditionalCheckFailedException')) {
        const old = oldItem(error);
        // An earlier attempt of this very write landed and gave the lease up (its response was
        // lost): the item holds exactly what this write would make it.
        const landed = old !== undefined && old[HOLDER] === undefined && (value === undefined || old[STATE]?.S === value);
        if (expression.includes('REMOVE') && landed) {
          return;
        }
      }
      throw this.lost(error);
    }
  }

  private lost(error: unknown): unknown {
    if (hasErrorName(error, 'ConditionalCheckFailedException')) {
      this.released = true;
      log.warn('lease lost to another poll; stopping', { deployment: this.deployment, holder: this.holder });
      return new LeaseLost(this.deployment);
    }
    return error;
  }

  private key(): Record<string, AttributeValue> {
    return { [STATE_TABLE_KEY]: { S: this.deployment } };
  }
}

/** The item a failed conditional write returned (ReturnValuesOnConditionCheckFailure ALL_OLD). */
function oldItem(error: unknown): Record<string, AttributeValue> | undefined {
  const item = (error as { Item?: Record<string, AttributeValue> }).Item;
  return item && Object.keys(item).length > 0 ? item : undefined;
}
