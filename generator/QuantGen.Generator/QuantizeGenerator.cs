using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using System.Text;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Emitting;
using QuantGen.Generator.Model;
using QuantGen.Generator.Parsing;
using QuantGen.Generator.Planning;

namespace QuantGen.Generator;

/// <summary>
/// The QuantGen source generator: pipeline wiring only. Each <c>[Quantize]</c> class is parsed into an
/// equatable <see cref="ModelSpec"/>, planned (shapes, fusions), turned into its programs (int8, float, dynamic: steps, arena) and emitted; diagnostics are reported from their
/// own output.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class QuantizeGenerator : IIncrementalGenerator
{
    public const string QuantizeAttribute = ModelParser.QuantizeAttribute;

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                QuantizeAttribute,
                predicate: static (node, _) => node is ClassDeclarationSyntax,
                transform: static (context, cancellationToken) => ModelParser.Parse(context, cancellationToken))
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<PlanResult> planned = parsed
            .Select(static (result, _) => ShapePlanner.Plan(result))
            .WithTrackingName(TrackingNames.Plan);

        IncrementalValuesProvider<ProgramResult> programs = planned
            .Select(static (result, _) => Int8Planner.Plan(result))
            .WithTrackingName(TrackingNames.Int8Plan)
            .Select(static (result, _) => FloatPlanner.Plan(result))
            .WithTrackingName(TrackingNames.FloatPlan);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = programs
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        // [SkipLocalsInit] needs unsafe code allowed, as in the Regex generator; a bool, so edits leave it cached.
        IncrementalValueProvider<bool> allowUnsafe = context.CompilationProvider
            .Select(static (compilation, _) => compilation.Options is CSharpCompilationOptions { AllowUnsafe: true })
            .WithTrackingName(TrackingNames.AllowUnsafe);

        context.RegisterSourceOutput(diagnostics, static (output, found) =>
        {
            foreach (DiagnosticInfo info in found)
            {
                // The analyzers report their advice: each ID comes from one place only.
                if (DiagnosticDescriptors.ReportedByAnalyzers(info.Id)) continue;
                if (DiagnosticDescriptors.ById(info.Id) is DiagnosticDescriptor descriptor)
                {
                    DiagnosticSeverity severity = info.AsError ? DiagnosticSeverity.Error : descriptor.DefaultSeverity;
                    ImmutableDictionary<string, string?> properties = info.FixValue is string value
                        ? ImmutableDictionary<string, string?>.Empty.Add(DiagnosticDescriptors.FixValueProperty, value)
                        : ImmutableDictionary<string, string?>.Empty;
                    output.ReportDiagnostic(Diagnostic.Create(
                        descriptor, info.Location?.ToLocation() ?? Location.None, severity, additionalLocations: null, properties, info.MessageArgs.ToArray()));
                }
            }
        });

        IncrementalValuesProvider<GeneratedSource> sources = programs
            .Where(static result => result.Plan is not null)
            .WithTrackingName(TrackingNames.Emittable)
            .Combine(allowUnsafe)
            .Select(static (input, _) => ModelEmitter.Emit(input.Left, input.Right))
            .WithTrackingName(TrackingNames.Emit);

        // All at once, so that hint names stay unique as the compiler compares them (ignoring case: two classes
        // 'Model' and 'model'); each text is still emitted, and cached, per class.
        context.RegisterSourceOutput(sources.Collect(), static (output, all) =>
        {
            var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (GeneratedSource source in all)
            {
                string hintName = source.HintName;
                for (int n = 2; !taken.Add(hintName); n++) hintName = source.HintName.Substring(0, source.HintName.Length - ".g.cs".Length) + "_" + n.ToString(CultureInfo.InvariantCulture) + ".g.cs";
                output.AddSource(hintName, SourceText.From(source.Text, Encoding.UTF8));
            }
        });
    }
}
