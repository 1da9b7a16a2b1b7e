import type { Core } from 'cytoscape';

declare global {
  interface Window {
    /** The graph's cy instance, exposed by the web app's test build only. */
    __cy?: Core;
  }
}
export {};
