import type {
  AttributeValue,
  DeleteItemCommandInput,
  DeleteItemCommandOutput,
  GetItemCommandInput,
  GetItemCommandOutput,
  UpdateItemCommandInput,
  UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { FakeServiceError, serviceError } from './aws-errors';
import { parseCondition, parseUpdate, placeholders, requireAllUsed, validation, type Item } from './dynamodb-expressions';

// DynamoDB's item size limit, counting attribute names and values (UTF-8).
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
const MAX_ITEM_BYTES = 400 * 1024;

// An on-demand table's partition takes at most 1,000 write request units a second (1 WRU
// per KB written); past that DynamoDB throttles (ServiceQuotas.html, "Throughput default quotas"
// and the on-demand capacity page). Modelled per partition key with a token bucket on the
// simulated clock; tests that want an account-wide squeeze inject throttling faults.
const PARTITION_WRITE_UNITS_PER_SECOND = 1_000;

export interface TableRecord {
  readonly name: string;
  readonly keyAttribute: string;
  readonly items: Map<string, Item>;
}

/** One write the fake applied, for tests that count writes. */
export interface DynamoWrite {
  readonly at: number;
  readonly table: string;
  readonly key: string;
  readonly operation: 'UpdateItem' | 'DeleteItem';
}

/**
 * DynamoDB tables with a string partition key: UpdateItem (upsert) and DeleteItem with
 * condition expressions (ConditionalCheckFailedException, with the old item when
 * ReturnValuesOnConditionCheckFailure is ALL_OLD), GetItem, the 400 KB item limit and the
 * per-partition write throughput.
 */
export class FakeDynamoDb {
  public readonly tables = new Map<string, TableRecord>();
  public readonly writes: DynamoWrite[] = [];
  /**
   * Mutation switch for tests that prove a property test has teeth: conditions are ignored,
   * as if the controller wrote without them.
   */
  public ignoreConditions = false;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  public constructor(private readonly now: () => number) {}

  public createTable(name: string, keyAttribute: string): TableRecord {
    const table: TableRecord = { name, keyAttribute, items: new Map() };
    this.tables.set(name, table);
    return table;
  }

  public getItem(input: GetItemCommandInput): GetItemCommandOutput {
    const { table, key } = this.locate(input.TableName, input.Key);
    const item = table.items.get(key);
    return { ...(item ? { Item: structuredClone(item) } : {}), $metadata: {} };
  }

  public updateItem(input: UpdateItemCommandInput): UpdateItemCommandOutput {
    const { table, key } = this.locate(input.TableName, input.Key);
    const p = placeholders(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    if (!input.UpdateExpression) {
      throw validation('The fake needs an UpdateExpression');
    }
    const plan = parseUpdate(input.UpdateExpression, p);
    const condition = input.ConditionExpression ? parseCondition(input.ConditionExpression, p) : undefined;
    requireAllUsed(p);
    if ([...plan.set.map(([a]) => a), ...plan.remove].includes(table.keyAttribute)) {
      throw validation(`One or more parameter values were invalid: Cannot update attribute ${table.keyAttribute}. This attribute is part of the key`);
    }
    const old = table.items.get(key);
    this.check(condition, old, input.ReturnValuesOnConditionCheckFailure);
    const updated: Item = { ...(old ?? { [table.keyAttribute]: { S: key } }) };
    for (const [attribute, value] of plan.set) {
      updated[attribute] = structuredClone(value);
    }
    for (const attribute of plan.remove) {
      delete updated[attribute];
    }
    if (itemBytes(updated) > MAX_ITEM_BYTES) {
      throw validation('Item size to update has exceeded the maximum allowed size');
    }
    this.consume(table, key, updated);
    table.items.set(key, updated);
    this.writes.push({ at: this.now(), table: table.name, key, operation: 'UpdateItem' });
    const returned = input.ReturnValues === 'ALL_NEW' ? updated : input.ReturnValues === 'ALL_OLD' ? old : undefined;
    return { ...(returned ? { Attributes: structuredClone(returned) } : {}), $metadata: {} };
  }

  public deleteItem(input: DeleteItemCommandInput): DeleteItemCommandOutput {
    const { table, key } = this.locate(input.TableName, input.Key);
    const p = placeholders(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    const condition = input.ConditionExpression ? parseCondition(input.ConditionExpression, p) : undefined;
    requireAllUsed(p);
    const old = table.items.get(key);
    this.check(condition, old, input.ReturnValuesOnConditionCheckFailure);
    this.consume(table, key, old ?? {});
    table.items.delete(key);
    this.writes.push({ at: this.now(), table: table.name, key, operation: 'DeleteItem' });
    return { ...(input.ReturnValues === 'ALL_OLD' && old ? { Attributes: structuredClone(old) } : {}), $metadata: {} };
  }

  private check(condition: ((item: Item | undefined) => boolean) | undefined, old: Item | undefined, returnOld: string | undefined): void {
    if (condition && !this.ignoreConditions && !condition(old)) {
      const error = serviceError('dynamodb', 'ConditionalCheckFailedException', 'The conditional request failed');
      throw returnOld === 'ALL_OLD' && old ? withItem(error, old) : error;
    }
  }

  private consume(table: TableRecord, key: string, item: Item): void {
    const units = Math.max(1, Math.ceil(itemBytes(item) / 1024));
    const id = `${table.name}/${key}`;
    const now = this.now();
    const bucket = this.buckets.get(id) ?? { tokens: PARTITION_WRITE_UNITS_PER_SECOND, at: now };
    bucket.tokens = Math.min(PARTITION_WRITE_UNITS_PER_SECOND, bucket.tokens + ((now - bucket.at) / 1000) * PARTITION_WRITE_UNITS_PER_SECOND);
    bucket.at = now;
    this.buckets.set(id, bucket);
    if (bucket.tokens < units) {
      throw serviceError('dynamodb', 'ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.');
    }
    bucket.tokens -= units;
  }

  private locate(tableName: string | undefined, key: Record<string, AttributeValue> | undefined): { table: TableRecord; key: string } {
    const table = tableName ? this.tables.get(tableName) : undefined;
    if (!table) {
      throw serviceError('dynamodb', 'ResourceNotFoundException', 'Requested resource not found');
    }
    const attributes = Object.keys(key ?? {});
    const value = key?.[table.keyAttribute]?.S;
    if (attributes.length !== 1 || value === undefined) {
      throw validation('The provided key element does not match the schema');
    }
    return { table, key: value };
  }
}

/** The error carries the item as the wire error body does (its Item member). */
function withItem(error: FakeServiceError, item: Item): FakeServiceError {
  error.extra = { Item: structuredClone(item) };
  return error;
}

// Names and values in UTF-8 bytes (numbers roughly by their digits; the fake stores no other types).
function itemBytes(item: Item): number {
  const valueBytes = (v: AttributeValue) => (v.S !== undefined ? Buffer.byteLength(v.S)
    : v.N !== undefined ? v.N.length : Buffer.byteLength(JSON.stringify(v)));
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}
