using System;
using System.Collections.Generic;

namespace QuantGen.Naming;

/// <summary>
/// What keeping layers in float by module path means, in one place for the runtime's <c>Prepare(…, keepFloat)</c> and the
/// generator's <c>[KeepFloat]</c> (the runtime compiles this file in): which paths a path covers, and the path nearest a
/// misspelled one by edit distance (insertions, deletions, substitutions, each costing one), so both suggest the same.
/// </summary>
internal static class ModulePaths
{
    /// <summary>True if <paramref name="name"/> is <paramref name="path"/> or lies under it (<c>features.18.0</c> under <c>features.18</c>).</summary>
    public static bool Covers(string path, string name) =>
        name.Length == path.Length ? name == path : name.Length > path.Length && name[path.Length] == '.' && name.StartsWith(path, StringComparison.Ordinal);

    /// <summary>The nearest of <paramref name="candidates"/> (the first in their order on a tie), or null if there are none.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
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
