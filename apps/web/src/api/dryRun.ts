import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from './queries';

/** `value` once it has not changed for `delayMs` (compared by `key`, e.g. its JSON). */
export function useDebounced<T>(value: T, key: string, delayMs: number): { value: T; key: string } {
  const [settled, setSettled] = useState({ value, key });
  useEffect(() => {
    if (key === settled.key) return;
    const timer = setTimeout(() => setSettled({ value, key }), delayMs);
    return () => clearTimeout(timer);
    // `value` is described by `key`: a new object with the same key is the same input
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, delayMs]);
  return settled;
}

export interface DryRunOptions<I, T> {
  /** What is being checked, e.g. `['routing', ns, service]`: part of the query key. */
  scope: readonly unknown[];
  /** The input (form request, YAML text) and the string that identifies it. */
  input: I;
  inputKey: string;
  /** False: nothing to check (invalid form, syntax error, no right to write). */
  enabled: boolean;
  /** The dry-run request for an input. */
  run: (input: I, signal: AbortSignal) => Promise<T>;
  delayMs: number;
}

export interface DryRun<I, T> {
  /** The server's latest answer (for `checked` unless pending); undefined while none or after an error. */
  data: T | undefined;
  error: unknown;
  /** The input the answer (or error) is for. */
  checked: I;
  /** The input changed and its answer is not there yet (debouncing or asking). */
  pending: boolean;
  /** Asks again for the same input. */
  refetch: () => void;
}

/**
 * The server's dry run of an input, asked `delayMs` after the input stops changing, on react-query
 * (key `queryKeys.dryRun(scope, inputKey)`: a stale request is cancelled, an answer is never shown for
 * another input). Used by the wizards' preview and the YAML editor's validation.
 */
export function useDryRun<I, T>(o: DryRunOptions<I, T>): DryRun<I, T> {
  const settled = useDebounced(o.input, o.inputKey, o.delayMs);
  const query = useQuery({
    queryKey: queryKeys.dryRun(o.scope, settled.key),
    queryFn: ({ signal }) => o.run(settled.value, signal),
    enabled: o.enabled,
    retry: false,
    gcTime: 0,
    // the last answer stays while the next is asked (shown as pending, as the forms did before)
    placeholderData: (previous) => previous,
    refetchOnWindowFocus: false,
  });
  const waiting = settled.key !== o.inputKey;
  return {
    data: o.enabled && !query.isError ? query.data : undefined,
    error: o.enabled ? query.error : undefined,
    checked: settled.value,
    pending: o.enabled && (waiting || query.isFetching),
    refetch: () => void query.refetch(),
  };
}
