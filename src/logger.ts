import pino from "pino";

/** The structured logger every component receives; pino writes one JSON object per line. */
export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: "waymark" } }, destination);
}
