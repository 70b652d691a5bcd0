/** The CLI run in-process, as a user would call it, with what it wrote to stdout, stderr, and both in order. */
import { type Io, run } from '../../cli/main.js';
import { asFunction } from './aws-calls.js';

export const runCli = async (args: string[], env: Record<string, string | undefined>) => {
  let out = '';
  let err = '';
  let all = '';
  const io: Io = {
    out: (text) => {
      out += text;
      all += text;
    },
    err: (text) => {
      err += text;
      all += text;
    },
    env,
  };
  // Its AWS calls are the CLI's: `grantOperate` is held to them (test/grants).
  const code = await asFunction('cli', run)(args, io);
  return { code, out, err, all };
};

/** Outside a local pipeline: the CLI finds nothing but what its flags and the stack say. */
export const NO_LOCAL_STATE = { ...process.env, IA_ALERTS_LOCAL_STATE: '/nonexistent' };
