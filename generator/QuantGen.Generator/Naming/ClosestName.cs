using System;
using System.Collections.Generic;

namespace QuantGen.Naming;

/// <summary>
/// The candidate nearest a misspelled name by edit distance (insertions, deletions, substitutions, each costing one),
/// for "did you mean" messages. One definition for the runtime's errors and the generator's diagnostics (the runtime
/// compiles this file in), so both suggest the same path.
/// </summary>
internal static class ClosestName
{
    /// <summary>The nearest of <paramref name="candidates"/> (the first in their order on a tie), or null if there are none.</summary>
    public static string? Find(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = Distance(name, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance, two rows at a time.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
