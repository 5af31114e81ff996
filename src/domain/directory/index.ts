export * from './content';
export * from './generate';
export * from './london-time';
export * from './opening';
export * from './rules';
export * from './search';
export * from './spatial';
export * from './types';
