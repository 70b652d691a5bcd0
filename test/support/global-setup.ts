/** One moto_server for the whole test run; integration tests read its endpoint from MOTO_ENDPOINT. */
import { type MotoServer, startMoto } from '../../local/moto.ts';
import { clearAwsCalls } from './aws-calls.ts';

export default async function globalSetup(): Promise<void> {
  // This run's record of the functions' AWS calls starts empty (test/grants reads it).
  clearAwsCalls();
  const moto = await startMoto();
  process.env.MOTO_ENDPOINT = moto.endpoint;
  (globalThis as { __moto?: MotoServer }).__moto = moto;
}
