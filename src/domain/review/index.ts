export * from './incidents';
export * from './report';
export * from './rules';
export * from './scoring';
