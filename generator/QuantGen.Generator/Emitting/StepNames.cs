using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Emitting;

/// <summary>
/// A unique PascalCase identifier per step, from its module path: <c>conv1</c> → <c>Conv1</c>,
/// <c>features.3.conv.1.0</c> → <c>Features3Conv1_0</c>, a second <c>Flatten</c> → <c>Flatten2</c>. Assigned in
/// step order, so the output is deterministic; names the generated code declares itself are skipped.
/// </summary>
internal static class StepNames
{
    // Shapes declares Input/InputLength; Int8 declares Forward, From, Fork, MaxThreads, Arena and the private members
    // (fields camelCase: arena, scratch, maxThreads, parallel); the enclosing class Int8 and Shapes.
    private static readonly string[] Reserved =
        ["Input", "Shapes", "Int8", "Forward", "From", "Fork", "MaxThreads", "Parallel", "Passes", "Arena", "Scratch", "Length", "MaxBatch", "Run", "Bytes"];

    public static string[] For(ModelPlan plan)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in Reserved)
        {
            used.Add(name);
            used.Add(name + "Length");
        }

        var names = new string[plan.Steps.Count];
        for (int i = 0; i < names.Length; i++)
        {
            string name = Pascal(plan.Steps[i].Name);
            string unique = name;
            for (int n = 2; used.Contains(unique) || used.Contains(unique + "Length"); n++) unique = name + n;
            used.Add(unique);
            used.Add(unique + "Length");
            names[i] = unique;
        }

        return names;
    }

    /// <summary>The field that holds a step's compiled layer: the name in camelCase, '@' before a keyword.</summary>
    public static string Field(string name)
    {
        string field = char.ToLowerInvariant(name[0]) + name.Substring(1);
        return SyntaxFacts.GetKeywordKind(field) != SyntaxKind.None ? "@" + field : field;
    }

    public static string Pascal(string path)
    {
        if (path.StartsWith("Functional.", StringComparison.Ordinal)) path = path.Substring("Functional.".Length);
        var text = new StringBuilder();
        foreach (string segment in path.Split('.'))
        {
            if (segment.Length == 0) continue;
            if (char.IsDigit(segment[0]))
            {
                if (text.Length == 0 || char.IsDigit(text[text.Length - 1])) text.Append('_');
                text.Append(segment);
            }
            else
            {
                text.Append(char.ToUpperInvariant(segment[0])).Append(segment, 1, segment.Length - 1);
            }
        }

        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsLetterOrDigit(text[i]) && text[i] != '_') text[i] = '_';
        }

        return text.Length == 0 ? "Step" : text.ToString();
    }
}
