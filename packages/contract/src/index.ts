export * from './errors';
export * from './routes';
export * from './duration';
export * from './graphQuery';
export * from './graphIds';
export * from './graph';
export * from './api';
export * from './istio';
