import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';

/*
 * @aws-cdk/aws-service-spec does not ship the raw CloudFormation registry schemas: it ships one
 * gzipped database (db.json.gz, about 2.6 MB) that its build imports from those schemas (plus
 * the legacy resource specification and CDK's patches). Every resource there has its
 * properties, attributes and named property types ("type definitions"), each property with its
 * current type (as in today's registry schema), `required`, and the string or integer enum
 * where the schema has one. That is exactly what a template check needs, so it is read
 * directly. Loading it takes about 0.6 s and 75 MB of heap, so it is loaded once per process,
 * lazily, and every resource type is looked up through the database's own index.
 *
 * The interfaces below are the slice of @aws-cdk/service-spec-types this checker reads,
 * declared here so that the checker depends on the data's shape, not on that package's
 * generics (it is only a transitive dependency).
 */

/** A property type as the spec database stores it. */
export type SpecType =
  | { readonly type: 'string'; readonly allowedValues?: readonly string[] }
  | { readonly type: 'integer'; readonly allowedValues?: readonly number[] }
  | { readonly type: 'number' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { readonly type: 'ref'; readonly reference: { readonly $ref: string } }
  | { readonly type: 'array' | 'map'; readonly element: SpecType }
  | { readonly type: 'union'; readonly types: readonly SpecType[] };

/** One property of a resource or of a named property type. */
export interface SpecProperty {
  readonly type: SpecType;
  readonly required?: boolean;
}

/** A resource type. */
export interface SpecResource {
  readonly cloudFormationType: string;
  readonly properties: Readonly<Record<string, SpecProperty>>;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** A named property type (an object with its own properties). */
export interface SpecTypeDefinition {
  readonly name: string;
  readonly properties: Readonly<Record<string, SpecProperty>>;
}

/** What the checker needs to know about CloudFormation resource types. */
export interface ISchemaRegistry {
  /** The resource type, or undefined when CloudFormation has no such type. */
  resource(cloudFormationType: string): SpecResource | undefined;
  /** The named property type a `ref` type points to. */
  typeDefinition(reference: { readonly $ref: string }): SpecTypeDefinition;
  /** Every resource type name, for "did you mean" suggestions. */
  resourceTypeNames(): readonly string[];
}

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;

class SpecDatabaseRegistry implements ISchemaRegistry {
  private readonly resources = new Map<string, SpecResource | undefined>();
  private typeNames?: string[];

  constructor(private readonly db: SpecDatabase) {}

  public resource(cloudFormationType: string): SpecResource | undefined {
    if (!this.resources.has(cloudFormationType)) {
      const found = this.db.lookup('resource', 'cloudFormationType', 'equals', cloudFormationType);
      this.resources.set(cloudFormationType, found.length > 0 ? found[0] as unknown as SpecResource : undefined);
    }
    return this.resources.get(cloudFormationType);
  }

  public typeDefinition(reference: { readonly $ref: string }): SpecTypeDefinition {
    return this.db.get('typeDefinition', reference.$ref) as unknown as SpecTypeDefinition;
  }

  public resourceTypeNames(): readonly string[] {
    this.typeNames ??= this.db.all('resource').map(r => r.cloudFormationType).sort();
    return this.typeNames;
  }
}

let shared: ISchemaRegistry | undefined;

/** The registry from @aws-cdk/aws-service-spec, loaded on first use and shared by every check in this process. */
export function awsServiceSpecRegistry(): ISchemaRegistry {
  shared ??= new SpecDatabaseRegistry(loadAwsServiceSpecSync());
  return shared;
}
