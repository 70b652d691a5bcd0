/** One moto_server for the whole test run; integration tests read its endpoint from MOTO_ENDPOINT. */
import { type MotoServer, startMoto } from '../../local/moto.ts';

export default async function globalSetup(): Promise<void> {
  const moto = await startMoto();
  process.env.MOTO_ENDPOINT = moto.endpoint;
  (globalThis as { __moto?: MotoServer }).__moto = moto;
}
