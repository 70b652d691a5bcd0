/** Length limits that never split a character: Slack and SNS count characters, not UTF-16 units. */
export const truncate = (text: string, limit: number, ellipsis = '…'): string => {
  // No more UTF-16 units than the limit: no more characters either (the common case).
  if (text.length <= limit) return text;
  const keep = Math.max(0, limit - Array.from(ellipsis).length);
  let [index, count, keptEnd] = [0, 0, 0];
  while (index < text.length) {
    if (count === keep) keptEnd = index;
    // A character at position `limit` (0-based): there are more than `limit` of them.
    if (count === limit) return text.slice(0, keptEnd) + ellipsis;
    index += (text.codePointAt(index) as number) > 0xffff ? 2 : 1;
    count += 1;
  }
  return text;
};
