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
    /// <summary>
    /// Names the generated code declares or inherits where step and block names go: Shapes' Input and Length; the pass
    /// classes (Int8, Float, Dynamic), their Arena, Layout, From and Run; their bases' members (<c>Int8Pass</c>,
    /// <c>FloatPass</c>); <c>object</c>'s; the classes Int8 and Shapes;
    /// and, camel-cased, the parameters the generated methods take (<c>model</c>, <c>source</c>, <c>input</c>,
    /// <c>output</c>, <c>n</c>), which a field of that name would hide behind.
    /// </summary>
    public static readonly string[] Reserved =
    [
        "Input", "Output", "Length", "Shapes", "Int8", "Float", "Dynamic", "Arena", "Layout", "From", "Run", "MaxBatch",
        "Forward", "Fork", "CreateFork", "MaxThreads", "Reserve", "ConcurrentWorkers", "Bytes", "Floats", "Scratch", "Values",
        "Model", "Source", "Converted", "N", "PerSample", "RunPerSample",
        "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "ReferenceEquals",
    ];

    /// <summary>
    /// Each step's name, unique as everything it becomes: the step method and the Arena constant (the name), the
    /// Shapes constants (the name and the name + Length) and the layer field (camelCase, which can meet another
    /// name's: 'K' and the Kelvin sign 'K' both lower to 'k').
    /// </summary>
    public static string[] For(ModelPlan plan)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in Reserved) Claim(used, name);

        var names = new string[plan.Steps.Count];
        for (int i = 0; i < names.Length; i++)
        {
            // A call with no name of its own ('+') is named by its kind.
            string name = Pascal(HasLetterOrDigit(plan.Steps[i].Name) ? plan.Steps[i].Name : plan.Steps[i].Kind);
            string unique = name;
            for (int n = 2; used.Contains(unique) || used.Contains(unique + "Length") || used.Contains(Field(unique)); n++) unique = name + n;
            Claim(used, unique);
            names[i] = unique;
        }

        return names;
    }

    private static void Claim(HashSet<string> used, string name)
    {
        used.Add(name);
        used.Add(name + "Length");
        used.Add(Field(name));
    }

    private static bool HasLetterOrDigit(string text)
    {
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c)) return true;
        }

        return false;
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

        // A name must start with a letter that has an upper case, so that its camelCase field differs from it
        // ('_fc', a CJK name, 'ß…'); else it is prefixed.
        if (text.Length == 0 || char.ToUpperInvariant(text[0]) == char.ToLowerInvariant(text[0])) text.Insert(0, "Step");
        return text.ToString();
    }
}
