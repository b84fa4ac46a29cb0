import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { createResilientClient, RetryableError, type ResilientClient } from './resilient-http';

/**
 * What every call to the configured Prometheus shares: one HTTP client per base URL, the call
 * policy (the app's `prometheus` resilient client), and how an answer is judged.
 */

/** Largest answer read from Prometheus; a larger one is refused, never parsed. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export interface PrometheusConnection {
  http: AxiosInstance;
  client: ResilientClient;
}

/**
 * The connection to `baseUrl` (a path prefix is kept). No axios timeout: the resilient client
 * times out each attempt through the abort signal; without one given, a client with
 * `timeoutMs` and one retry is built.
 */
export function prometheusConnection(baseUrl: string, timeoutMs: number, client?: ResilientClient, http?: AxiosInstance): PrometheusConnection {
  return {
    http: http ?? axios.create({ baseURL: baseUrl.replace(/\/+$/, ''), validateStatus: () => true, maxRedirects: 0 }),
    client: client ?? createResilientClient({ target: 'prometheus', timeoutMs, retries: 1, backoff: { initialMs: 100, maxMs: 500 } }),
  };
}

/** One attempt: 5xx/429/408 are retried (and count towards the circuit); other answers are judged by the caller. */
export async function readAnswer<T>(request: () => Promise<AxiosResponse<T>>): Promise<AxiosResponse<T>> {
  const response = await request();
  if (response.status >= 500 || response.status === 429 || response.status === 408) throw new RetryableError(`Prometheus answered HTTP ${response.status}`, response.status);
  return response;
}
