/** notify-slack's Lambda entry: its handler, made once per execution environment (notify-slack-function.ts). */
import { createNotifySlackHandler } from './notify-slack-function.js';

export const handler = createNotifySlackHandler();
