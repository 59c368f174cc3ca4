/** One JSON object per line on stdout: CloudWatch Logs Insights can query every field. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
}

export function jsonLogger(base: Readonly<Record<string, unknown>>, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  return {
    log(level, message, fields) {
      write(JSON.stringify({ timestamp: new Date().toISOString(), level, message, ...base, ...fields }));
    },
  };
}

/** For tests and tools that must stay quiet. */
export const silentLogger: Logger = { log: () => undefined };
