using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using QuantGen.Generator.Parsing.Interpreter;

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

    /// <summary>The identifier <paramref name="from"/> renamed to <paramref name="to"/> (as C# writes it: <c>@checked</c>) wherever it stands alone.</summary>
    public static string Rename(string source, string from, string to)
    {
        string renamed = Regex.Replace(source, $@"(?<![\w@]){Regex.Escape(from)}(?!\w)", _ => to);
        Assert.NotEqual(source, renamed);
        return renamed;
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

    /// <summary>
    /// What a batch of runs gave: failures (an exception, CS8785, AD0001, generated code that does not compile
    /// unexplained), QG IDs seen, runs that generated, runs with a QG diagnostic, and runs in all.
    /// </summary>
    public sealed record Outcome(IReadOnlyList<string> Failures, IReadOnlyCollection<string> Ids, int Generated, int Diagnosed, int Total);

    /// <summary>The stack csc compiles on (its main thread's, 8 MB on Linux), so that deep mutations stay code the compiler alone accepts.</summary>
    public const int CompilerStack = 8 * 1024 * 1024;

    /// <summary><paramref name="work"/>'s result, computed on a thread with a stack of <paramref name="bytes"/> (as the generator reads models).</summary>
    public static T OnStack<T>(int bytes, Func<T> work) => OwnStack.Run(work, bytes);

    /// <summary>Runs every case (on a worker per core, each with the compiler's stack) and collects what went wrong.</summary>
    public static Outcome Check<T>(IReadOnlyList<(string Name, T Case)> cases, Func<T, GeneratorRun> run)
    {
        var failures = new ConcurrentBag<string>();
        var ids = new ConcurrentDictionary<string, int>();
        int generated = 0, diagnosed = 0, next = -1;
        var workers = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(Work, CompilerStack)).ToList();
        workers.ForEach(worker => worker.Start());
        workers.ForEach(worker => worker.Join());
        return new Outcome([.. failures], [.. ids.Keys.Order()], generated, diagnosed, cases.Count);

        void Work()
        {
            for (int i = Interlocked.Increment(ref next); i < cases.Count; i = Interlocked.Increment(ref next))
            {
                try
                {
                    CheckOne(cases[i]);
                }
                catch (Exception exception)
                {
                    failures.Add($"{cases[i].Name}: the check threw {exception}");
                }
            }
        }

        void CheckOne((string Name, T Case) c)
        {
            GeneratorRun result = run(c.Case);
            // The analyzers run on every case too: they read the same broken code and must not throw either.
            foreach (Diagnostic d in result.Reported) ids.AddOrUpdate(d.Id, 1, (_, n) => n + 1);
            if (result.Sources.Length > 0) Interlocked.Increment(ref generated);
            if (result.Reported.Any()) Interlocked.Increment(ref diagnosed);
            if (result.Exception is not null) failures.Add($"{c.Name}: the generator threw {result.Exception}");
            foreach (Exception thrown in result.Analyzers.Exceptions) failures.Add($"{c.Name}: an analyzer threw {thrown}");
            if (result.GeneratorDiagnostics.Any(d => d.Id == "CS8785")) failures.Add($"{c.Name}: CS8785");

            var problems = result.GeneratedCodeProblems.ToList();
            if (problems.Count > 0 && !result.Reported.Any())
            {
                failures.Add($"{c.Name}: generated code does not compile and no QG diagnostic says why: {string.Join("; ", problems)}");
            }
        }
    }
}
