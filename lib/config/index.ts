export * from './schema';
export * from './data';
export * from './load';
export * from './roles';
export * from './runbooks';
export * from './observability';
export * from './workers';
