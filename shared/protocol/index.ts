export * from './commands';
export * from './events';
export * from './sockets';
export * from './recommend';
export * from './reads';
