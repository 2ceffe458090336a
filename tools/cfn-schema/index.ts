export * from './check-template';
export * from './findings';
export { awsServiceSpecRegistry } from './registry';
export type { ISchemaRegistry, SpecProperty, SpecResource, SpecType, SpecTypeDefinition } from './registry';
export { intrinsicName, isNoValue } from './references';
export { checkAssembly } from './check-assembly';
export type { StackFindings } from './check-assembly';
