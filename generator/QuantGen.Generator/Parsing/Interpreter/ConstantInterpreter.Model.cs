using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using QuantGen.Generator.Diagnostics;
using QuantGen.Generator.Model;

namespace QuantGen.Generator.Parsing.Interpreter;

/// <summary>The annotated class read through the interpreter: its leaf layers and blocks by path, and Forward's steps.</summary>
internal sealed record ModelRead(List<LayerSpec> Layers, List<BlockSpec> Blocks, List<ForwardStep> Steps, int Output);

// The entry point: build the annotated class with its defaults, name its tree, read its Forward.
internal sealed partial class ConstantInterpreter
{
    /// <summary>Reads the model, or says (with one diagnostic) why it cannot; on a stack of its own (<see cref="OwnStack"/>).</summary>
    public (ModelRead? Read, DiagnosticInfo? Failure) ReadModel(INamedTypeSymbol type, ClassDeclarationSyntax declaration) =>
        OwnStack.Run(() => Read(type, declaration));

    private (ModelRead? Read, DiagnosticInfo? Failure) Read(INamedTypeSymbol type, ClassDeclarationSyntax declaration)
    {
        LocationInfo? classLocation = LocationInfo.From(declaration.Identifier.GetLocation());
        bool built = false;
        try
        {
            if (ParameterlessConstructor(type) is not { } constructor)
            {
                return (null, DiagnosticInfo.Create(DiagnosticDescriptors.UnreadableConstruct, classLocation,
                    $"'{type.Name}', whose constructors all take arguments (give each parameter a default so that the generator can build it)"));
            }

            var root = new ModuleValue(type, null, declaration, "");
            Construct(root, type, constructor, Defaults(constructor), declaration);
            built = true;

            ModuleTree tree = ModuleTree.Walk(root);
            if (!tree.Complete)
            {
                return (null, DiagnosticInfo.Create(DiagnosticDescriptors.UnreadableConstruct, classLocation,
                    $"a module tree more than {ModuleTree.MaxDepth} levels deep"));
            }

            paths = tree.Paths;
            TensorValue output = ReadForward(root, type, declaration, classLocation);
            return (new ModelRead(tree.Layers, tree.Blocks, steps, output.Index), null);
        }
        catch (EvaluationStopped stopped) when (stopped.Diagnostic is { } diagnostic)
        {
            return (null, diagnostic);
        }
        catch (EvaluationStopped stopped) when (stopped.Thrown is { } thrown)
        {
            return (null, built
                ? DiagnosticInfo.Create(DiagnosticDescriptors.UnreadableConstruct, stopped.ThrowSite ?? classLocation, $"a throw in Forward ({thrown.TypeName}: {thrown.Message})")
                : DiagnosticInfo.Create(DiagnosticDescriptors.BlockCannotBeBuilt, classLocation, type.Name + "()", $"{thrown.TypeName}: {thrown.Message}"));
        }
    }

    private TensorValue ReadForward(ModuleValue root, INamedTypeSymbol type, ClassDeclarationSyntax declaration, LocationInfo? classLocation)
    {
        if (ForwardOf(type) is not { } forward)
        {
            throw new EvaluationStopped(DiagnosticInfo.Create(DiagnosticDescriptors.UnreadableConstruct, classLocation, $"'{type.Name}' without a Forward(Tensor) method"), false);
        }

        if (forward.DeclaringSyntaxReferences.Length == 1
            && forward.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is MethodDeclarationSyntax { Body: null, ExpressionBody: null } bodiless)
        {
            throw new EvaluationStopped(DiagnosticInfo.Create(DiagnosticDescriptors.UnreadableConstruct, LocationInfo.From(bodiless.Identifier.GetLocation()), "a Forward without a body"), false);
        }

        var input = new Dictionary<ISymbol, object?>(SymbolEqualityComparer.Default) { [forward.Parameters[0]] = new TensorValue(0) };
        object? output = Call(forward, root, input, declaration, new ForwardScope(""));
        return output as TensorValue
            ?? throw new EvaluationStopped(DiagnosticInfo.Create(DiagnosticDescriptors.UnreadableConstruct, classLocation, "a Forward that does not return a tensor of its dataflow"), false);
    }
}
