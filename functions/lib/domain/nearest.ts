/**
 * The candidate closest to a mistyped word (case-insensitive edit distance), for "did you mean"
 * in the CDK app's context keys and the CLI's commands and flags; undefined when none is close
 * enough to be what was meant (more than a third of the word differs).
 */
const editDistance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(
        above + 1,
        (row[j - 1] as number) + 1,
        diagonal + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length] as number;
};

export const nearest = (word: string, candidates: Iterable<string>): string | undefined => {
  const best = [...candidates].sort((x, y) => editDistance(word, x) - editDistance(word, y))[0];
  return best !== undefined && editDistance(word, best) <= Math.max(2, Math.ceil(word.length / 3)) ? best : undefined;
};
