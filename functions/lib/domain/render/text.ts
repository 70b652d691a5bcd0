/** Length limits that never split a character: Slack and SNS count characters, not UTF-16 units. */
export const truncate = (text: string, limit: number, ellipsis = '…'): string => {
  // No more UTF-16 units than the limit: no more characters either (the common case, no split needed).
  if (text.length <= limit) return text;
  const chars = Array.from(text);
  if (chars.length <= limit) return text;
  return chars.slice(0, Math.max(0, limit - Array.from(ellipsis).length)).join('') + ellipsis;
};
