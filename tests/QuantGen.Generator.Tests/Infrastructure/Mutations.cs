using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace QuantGen.Generator.Tests.Infrastructure;

/// <summary>Broken and half-written sources, and the check that the generator survives each of them.</summary>
public static class Mutations
{
    /// <summary>Every <paramref name="every"/>th token deleted, one at a time (and, with <paramref name="doubled"/>, written twice).</summary>
    public static IEnumerable<(string Name, string Source)> Tokens(string source, bool doubled = true, int every = 1)
    {
        SyntaxNode root = CSharpSyntaxTree.ParseText(source).GetRoot();
        int index = 0;
        foreach (SyntaxToken token in root.DescendantTokens())
        {
            if (token.Span.IsEmpty || index++ % every != 0) continue;
            yield return ($"token '{token.Text}' at {token.SpanStart} deleted", source.Remove(token.SpanStart, token.Span.Length));
            if (doubled) yield return ($"token '{token.Text}' at {token.SpanStart} doubled", source.Insert(token.SpanStart, token.Text + " "));
        }
    }

    /// <summary>Every line cut in half, as if being typed.</summary>
    public static IEnumerable<(string Name, string Source)> HalfLines(string source)
    {
        string[] lines = source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length < 2) continue;
            string[] cut = (string[])lines.Clone();
            cut[i] = lines[i][..(lines[i].Length / 2)];
            yield return ($"line {i + 1} cut in half", string.Join('\n', cut));
        }
    }

    /// <summary>What a batch of runs gave: failures (an exception, CS8785, generated code that does not compile unexplained), QG IDs seen, runs that generated.</summary>
    public sealed record Outcome(IReadOnlyList<string> Failures, IReadOnlyCollection<string> Ids, int Generated);

    public static Outcome Check<T>(IReadOnlyList<(string Name, T Case)> cases, Func<T, GeneratorRun> run)
    {
        var failures = new ConcurrentBag<string>();
        var ids = new ConcurrentDictionary<string, int>();
        int generated = 0;
        Parallel.ForEach(cases, c =>
        {
            GeneratorRun result = run(c.Case);
            // The analyzers run on every case too: they read the same broken code and must not throw either.
            foreach (Diagnostic d in result.Reported) ids.AddOrUpdate(d.Id, 1, (_, n) => n + 1);
            if (result.Sources.Length > 0) Interlocked.Increment(ref generated);
            if (result.Exception is not null) failures.Add($"{c.Name}: the generator threw {result.Exception}");
            foreach (Exception thrown in result.Analyzers.Exceptions) failures.Add($"{c.Name}: an analyzer threw {thrown}");
            if (result.GeneratorDiagnostics.Any(d => d.Id == "CS8785")) failures.Add($"{c.Name}: CS8785");

            var problems = result.GeneratedCodeProblems.ToList();
            if (problems.Count > 0 && !result.Reported.Any())
            {
                failures.Add($"{c.Name}: generated code does not compile and no QG diagnostic says why: {string.Join("; ", problems)}");
            }
        });

        return new Outcome([.. failures], [.. ids.Keys.Order()], generated);
    }
}
