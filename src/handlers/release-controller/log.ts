import { now } from './clock';

/** One structured log record: a JSON object on one line, so CloudWatch Logs Insights can query it. */
export type LogRecord = Record<string, unknown> & { level: LogLevel; message: string; time: string };

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Where records go; tests swap it to keep their output clean and to read the records back. */
export type LogSink = (record: LogRecord) => void;

const consoleSink: LogSink = (record) => {
  // Lambda sends stdout to CloudWatch Logs; one line per record keeps records whole.
  process.stdout.write(`${JSON.stringify(record)}\n`);
};

let sink: LogSink = consoleSink;
let context: Record<string, unknown> = {};

/** Replace the sink (tests); call with no argument to go back to stdout. */
export function setLogSink(next?: LogSink): void {
  sink = next ?? consoleSink;
}

/** Fields added to every record until the next call (one invocation's identity). */
export function setLogContext(fields: Record<string, unknown>): void {
  context = { ...fields };
}

function emit(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
  sink({ ...context, ...fields, level, message, time: new Date(now()).toISOString() });
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => emit('DEBUG', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => emit('INFO', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => emit('WARN', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => emit('ERROR', message, fields),
};
