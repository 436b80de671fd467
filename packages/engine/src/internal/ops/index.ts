// Importing this module registers every primitive.
export * from './elementwise';
export * from './reduce';
export * from './shape';
export * from './linalg';
