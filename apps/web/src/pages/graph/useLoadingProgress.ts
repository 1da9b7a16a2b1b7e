import { useCallback, useEffect, useRef, useState } from 'react';
import type { CanvasProgress } from '../../graph/GraphCanvas';

/**
 * The loading steps' state: the canvas's progress until the graph of `key` (its parameters) is first
 * drawn, not on each refresh — once it is, the canvas's progress no longer re-renders the page. `preload`
 * starts loading the renderer's chunk; `rendererLoaded` says when it is in.
 */
export function useLoadingProgress(key: string, preload: () => Promise<unknown>) {
  const [progress, setProgress] = useState<CanvasProgress | null>(null);
  const [rendererLoaded, setRendererLoaded] = useState(false);
  useEffect(() => {
    void preload().then(() => setRendererLoaded(true));
  }, [preload]);
  const [readyFor, setReadyFor] = useState('');
  const loadingKey = useRef(key);
  loadingKey.current = key;
  const drawnFor = useRef('');
  const onProgress = useCallback((p: CanvasProgress) => {
    if (drawnFor.current === loadingKey.current) return;
    setProgress(p);
    if (p.stage === 'ready') {
      drawnFor.current = loadingKey.current;
      setReadyFor(loadingKey.current);
    }
  }, []);
  return { progress, rendererLoaded, drawn: readyFor === key, onProgress };
}
