import { runImport } from './run-import.ts'

// Exits explicitly: an exit code set with process.exitCode is lost when run through tsx.
process.exit(await runImport('tenancies', process.argv[2]))
