using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace QuantGen.Generator.Ops;

/// <summary>
/// The one list of op descriptors: every runtime module type the generator reads, keyed by its metadata name, and
/// the functional calls that run the same ops. Adding an op is a descriptor here and its file in this folder.
/// </summary>
internal static class OpRegistry
{
    public static readonly ConvOp Conv2d = new(dimensions: 2);
    public static readonly BatchNorm2dOp BatchNorm2d = new();
    public static readonly LinearOp Linear = new();
    public static readonly ActivationOp ReLU = new("ReLU", "Relu", "0");
    public static readonly ActivationOp ReLU6 = new("ReLU6", "Relu6", "0 and 6");
    public static readonly PoolOp MaxPool2d = new(max: true, dimensions: 2);
    public static readonly PoolOp AvgPool2d = new(max: false, dimensions: 2);
    public static readonly AdaptiveAvgPool2dOp AdaptiveAvgPool2d = new();
    public static readonly ConvOp Conv1d = new(dimensions: 1);
    public static readonly BatchNorm1dOp BatchNorm1d = new();
    public static readonly PoolOp MaxPool1d = new(max: true, dimensions: 1);
    public static readonly PoolOp AvgPool1d = new(max: false, dimensions: 1);
    public static readonly AdaptiveAvgPool1dOp AdaptiveAvgPool1d = new();
    public static readonly FlattenOp Flatten = new();
    public static readonly IdentityOp Dropout = new("Dropout");
    public static readonly IdentityOp Identity = new("Identity");
    public static readonly LayerNormOp LayerNorm = new();
    public static readonly SoftmaxOp Softmax = new();
    public static readonly AddOp Add = new();
    public static readonly FloatFunctionalOp FloatFunctional = new();
    public static readonly PointwiseActivationOp Hardswish = new("Hardswish");
    public static readonly PointwiseActivationOp Hardsigmoid = new("Hardsigmoid");
    public static readonly PointwiseActivationOp Sigmoid = new("Sigmoid");
    public static readonly PointwiseActivationOp Tanh = new("Tanh");
    public static readonly PointwiseActivationOp LeakyReLU = new("LeakyReLU");
    public static readonly PointwiseActivationOp ELU = new("ELU");
    public static readonly ConvTranspose2dOp ConvTranspose2d = new();
    public static readonly UpsampleOp Upsample = new();
    public static readonly FloatActivationOp SiLU = new("SiLU");
    public static readonly FloatActivationOp GELU = new("GELU");
    public static readonly GroupNormOp GroupNorm = new();
    public static readonly StubOp QuantStub = new("QuantStub", Int8Form.Quantize);
    public static readonly StubOp DeQuantStub = new("DeQuantStub", Int8Form.Dequantize);
    public static readonly MeanOp Mean = new();

    /// <summary>Every descriptor, in the order the docs list them.</summary>
    public static readonly IReadOnlyList<OpDescriptor> All =
    [
        Conv2d, BatchNorm2d, Linear, ReLU, ReLU6, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, Dropout, Identity,
        LayerNorm, Softmax, Add, FloatFunctional, Hardswish, Hardsigmoid, Sigmoid, Tanh, LeakyReLU, ELU,
        ConvTranspose2d, Upsample, SiLU, GELU, GroupNorm,
        Conv1d, BatchNorm1d, MaxPool1d, AvgPool1d, AdaptiveAvgPool1d,
        QuantStub, DeQuantStub,
    ];

    /// <summary>The ops no runtime module runs, only a <c>Functional</c> method (or the <c>Tensor</c> method of that name).</summary>
    public static readonly IReadOnlyList<OpDescriptor> FunctionalOnly = [Mean];

    private static readonly Dictionary<string, OpDescriptor> ByMetadataName = Index(All, static op => [op.MetadataName]);

    private static readonly Dictionary<string, OpDescriptor> ByFunctionalName = Index([.. All, .. FunctionalOnly], static op => op.FunctionalNames);

    /// <summary>The descriptor of a leaf module type (<c>QuantGen.Nn.Conv2d</c>); null for any other type.</summary>
    public static OpDescriptor? ForModule(ITypeSymbol type) => ByMetadataName.TryGetValue(type.ToDisplayString(), out OpDescriptor? op) ? op : null;

    /// <summary>The descriptor of a <c>Functional</c> (or <c>Module</c>, or <c>Tensor</c>) method that runs an op on tensors, by name.</summary>
    public static OpDescriptor? ForFunctional(string methodName) => ByFunctionalName.TryGetValue(methodName, out OpDescriptor? op) ? op : null;

    /// <summary>The descriptor whose <see cref="OpDescriptor.FuseRole"/> a <c>[Fuse]</c> pattern names, if any.</summary>
    public static OpDescriptor? ForFuseRole(string role)
    {
        foreach (OpDescriptor op in All)
        {
            if (op.FuseRole == role) return op;
        }

        return null;
    }

    private static Dictionary<string, OpDescriptor> Index(IReadOnlyList<OpDescriptor> ops, Func<OpDescriptor, IEnumerable<string>> keys)
    {
        var index = new Dictionary<string, OpDescriptor>(StringComparer.Ordinal);
        foreach (OpDescriptor op in ops)
        {
            foreach (string key in keys(op)) index.Add(key, op);
        }

        return index;
    }
}
