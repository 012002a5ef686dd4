// The parts of autocannon's API the benchmarks use; the package ships no type declarations.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request
  }

  interface Options {
    url: string
    connections?: number
    duration?: number
    amount?: number
    requests?: Request[]
  }

  interface Histogram {
    average: number
    p50: number
    p90: number
    p97_5: number
    p99: number
    max: number
  }

  interface Result {
    requests: Histogram & { total: number }
    latency: Histogram
    errors: number
    non2xx: number
  }

  interface Instance extends EventEmitter {
    on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): this
  }

  function autocannon(options: Options, callback?: (error: Error | null, result: Result) => void): Instance & Promise<Result>
  export default autocannon
}
