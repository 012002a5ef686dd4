import {
  createInstallation,
  removeInstallation,
  startServer,
  waitUntilHealthy,
  type GuildhallProcess,
  type Installation,
} from '../test/support/server-process.ts'

/**
 * Start-up time of the real server process, from launch to a 200 from /health:
 * - first start: an empty DATA_DIR, so it creates the embedded database, runs every migration and
 *   loads the demo council (DEMO_DATA is left at its default, as `npm start` leaves it);
 * - later start: the same DATA_DIR again after a clean SIGTERM stop.
 * Each is the median of three installations.
 */
const runs = 3

async function timeToHealthy(installation: Installation): Promise<{ milliseconds: number; server: GuildhallProcess }> {
  const started = performance.now()
  const server = startServer(installation)
  await waitUntilHealthy(server, installation.port, 300_000)
  return { milliseconds: performance.now() - started, server }
}

async function stopCleanly(server: GuildhallProcess) {
  server.child.kill('SIGTERM')
  const exit = await server.exited
  if (exit.code !== 0) throw new Error(`The server did not stop cleanly (${exit.code ?? exit.signal}):\n${server.stderr()}`)
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(2)} s`

const firstStarts: number[] = []
const laterStarts: number[] = []
for (let run = 1; run <= runs; run++) {
  const installation = await createInstallation()
  const processes: GuildhallProcess[] = []
  try {
    const first = await timeToHealthy(installation)
    processes.push(first.server)
    await stopCleanly(first.server)
    const later = await timeToHealthy(installation)
    processes.push(later.server)
    await stopCleanly(later.server)
    firstStarts.push(first.milliseconds)
    laterStarts.push(later.milliseconds)
    console.log(`run ${run}: first start ${seconds(first.milliseconds)}, later start ${seconds(later.milliseconds)}`)
  } finally {
    await removeInstallation(installation, processes)
  }
}

console.log(`first start to healthy (empty DATA_DIR, demo council loading): median ${seconds(median(firstStarts))} of ${runs}`)
console.log(`later start to healthy (same DATA_DIR after a clean stop):    median ${seconds(median(laterStarts))} of ${runs}`)
