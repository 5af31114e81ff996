export * from './diff';
export * from './lifecycle';
