/**
 * What every command writes to and reads from, and the one error that means "wrong usage" (exit
 * 2): apart from main.ts, so commands need not import the dispatcher that imports them.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** How far a long command has got, on one line that rewrites itself; absent unless stderr is a terminal. */
  progress?: (text: string) => void;
}

/** A mistake in the command line: the usage is printed and the CLI exits with 2. */
export class UsageError extends Error {}

export const processIo = (): Io => {
  // A progress line is rewritten in place on the terminal; anything else printed first clears it.
  let progressShown = false;
  const clearProgress = () => {
    if (progressShown) process.stderr.write('\r\x1b[K');
    progressShown = false;
  };
  return {
    out: (text) => {
      clearProgress();
      process.stdout.write(text);
    },
    err: (text) => {
      clearProgress();
      process.stderr.write(text);
    },
    env: process.env,
    ...(process.stderr.isTTY
      ? {
          progress: (text: string) => {
            process.stderr.write(`\r${text.slice(0, (process.stderr.columns || 80) - 1)}\x1b[K`);
            progressShown = text !== '';
          },
        }
      : {}),
  };
};
