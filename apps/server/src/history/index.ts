export {
  createHistory,
  WATCHED_KINDS,
  type History,
  type HistoryOptions,
  type Recorder,
  type RecordedObject,
  type RecordInput,
} from './history';
export { objectsOfResults, objectsOfStates } from './objects';
export { actorOf, historyRouter, type HistoryRouterDeps } from './router';
export { DEFAULT_LIMITS, HISTORY_SELECTOR, type StoreLimits } from './store';
