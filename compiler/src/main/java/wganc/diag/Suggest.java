package wganc.diag;

import java.util.Collection;
import java.util.Optional;

/** "did you mean" suggestions: edit distance 1 for names of up to 4 characters, else 2. */
public final class Suggest {
  private Suggest() {}

  public static Optional<String> closest(String wrong, Collection<String> known) {
    int limit = wrong.length() <= 4 ? 1 : 2;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known.stream().sorted().toList()) {
      int d = distance(wrong, k);
      if (d <= limit && d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
  public static int distance(String a, String b) {
    if (Math.abs(a.length() - b.length()) > 3) return 4;
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) d[i][0] = i;
    for (int j = 0; j <= b.length(); j++) d[0][j] = j;
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** A help line "did you mean `x`?" or null. */
  public static String didYouMean(String wrong, Collection<String> known) {
    return closest(wrong, known).map(s -> "did you mean `" + s + "`?").orElse(null);
  }
}
