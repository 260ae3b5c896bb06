using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.ChildOrder;

/// <summary>
/// Records, for every module class of the compilation with more than one child field, the order its child fields
/// are declared in, and registers it with the runtime's <c>ChildOrder</c> from a module initializer. Reflection does
/// not promise declaration order and NativeAOT has no metadata tokens to sort by: this keeps a model's children (and
/// so its state dict and <c>NamedModules</c>) in PyTorch's order everywhere. Pipeline wiring only.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ChildOrderGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ModuleChildOrder> types = context.SyntaxProvider
            .CreateSyntaxProvider(
                predicate: static (node, _) => node is ClassDeclarationSyntax { BaseList: not null },
                transform: static (context, cancellationToken) => ChildOrderReader.Read(context, cancellationToken))
            .Where(static order => order is not null)
            .Select(static (order, _) => order!)
            .WithTrackingName(TrackingNames.ChildOrder);

        IncrementalValueProvider<EquatableArray<ModuleChildOrder>> all = types
            .Collect()
            .Select(static (orders, _) => new EquatableArray<ModuleChildOrder>(
                orders.GroupBy(o => o.TypeName).Select(g => g.First()).OrderBy(o => o.TypeName, System.StringComparer.Ordinal)))
            .WithTrackingName(TrackingNames.ChildOrderEmit);

        context.RegisterSourceOutput(all, static (output, orders) =>
        {
            if (orders.Count == 0) return;
            output.AddSource("QuantGen.ChildOrder.g.cs", SourceText.From(ChildOrderEmitter.Emit(orders), Encoding.UTF8));
        });
    }
}
