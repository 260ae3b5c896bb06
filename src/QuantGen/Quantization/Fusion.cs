using System.Runtime.CompilerServices;
using QuantGen.Kernels;
using QuantGen.Nn;

namespace QuantGen.Quantization;

/// <summary>
/// PyTorch's <c>fuse_modules</c>, in place: each group names consecutive modules by their dotted paths, and the
/// first absorbs the rest. Conv2d+BatchNorm2d, Conv1d+BatchNorm1d, ConvTranspose2d+BatchNorm2d and Linear+BatchNorm1d fold the BatchNorm into the
/// weights (eval mode); a trailing ReLU or ReLU6 becomes the layer's fused activation. The absorbed modules then pass
/// their input through (<see cref="Identity"/>), as in PyTorch.
/// </summary>
/// <remarks>
/// Supported groups, as PyTorch 1.13's defaults (and ReLU6 wherever ReLU is): [Conv2d, BatchNorm2d[, ReLU]],
/// [Conv1d, BatchNorm1d[, ReLU]], [Conv2d|Conv1d, ReLU], [Linear, BatchNorm1d], [Linear, ReLU],
/// [ConvTranspose2d, BatchNorm2d] and [BatchNorm2d, ReLU] (PyTorch's <c>BNReLU2d</c>). A BatchNorm fuses only into a
/// layer of its own dimensionality; Linear+BatchNorm1d and ConvTranspose2d+BatchNorm2d only for post-training
/// quantization, as in PyTorch 1.13.
/// Every group is checked before any is fused, so a bad list changes nothing.
/// </remarks>
public static class Fusion
{
    // Each absorbed layer's head: the layer it now runs inside (what keeping the absorbed layer in float keeps).
    private static readonly ConditionalWeakTable<Layer, Layer> Heads = new();

    /// <summary>The layer <paramref name="absorbed"/> was fused into, or null if it was not fused into another.</summary>
    internal static Layer? FusedInto(Layer absorbed) => Heads.TryGetValue(absorbed, out var head) ? head : null;

    /// <exception cref="FusionException">A path names no module, a group is not a supported pattern, a module is
    /// already fused or appears twice, channels differ, or the model is in training mode.</exception>
    public static void FuseModules(Module model, params string[][] groups) => Fuse(model, groups, forTraining: false);

    /// <summary>
    /// PyTorch's <c>fuse_modules_qat</c>: the same groups, but a BatchNorm is not folded — it stays with its
    /// convolution as a <see cref="QatConv2d"/> that trains it (batch statistics, running statistics updated), as
    /// PyTorch's <c>ConvBn2d</c>/<c>ConvBnReLU2d</c> do; <c>Convert</c> folds it. Works in either mode.
    /// </summary>
    /// <exception cref="FusionException">As <see cref="FuseModules"/>, except that training mode is allowed.</exception>
    public static void FuseModulesQat(Module model, params string[][] groups) => Fuse(model, groups, forTraining: true);

    private static void Fuse(Module model, string[][] groups, bool forTraining)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(groups);
        var modules = model.NamedModules().ToDictionary(m => m.Name, m => m.Module);
        var plans = new List<FusionPlan>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var plan = FusionPlan.Create(group, modules, forTraining);
            foreach (string path in group)
            {
                if (!used.Add(path)) throw new FusionException($"'{path}' appears in more than one fusion group.");
            }
            plans.Add(plan);
        }
        foreach (var plan in plans) plan.Apply(forTraining);
    }

    /// <summary>One checked group: the layer that absorbs, the BatchNorm it folds, the activation it takes on.</summary>
    private sealed record FusionPlan(Layer Head, BatchNorm? BatchNorm, FusedActivation Activation, Layer[] Absorbed)
    {
        public static FusionPlan Create(string[] group, IReadOnlyDictionary<string, Module> modules, bool forTraining)
        {
            if (group is null || group.Length < 2)
            {
                throw new FusionException($"A fusion group needs at least two module names, got [{string.Join(", ", group ?? [])}].");
            }
            var found = new Layer[group.Length];
            for (int i = 0; i < group.Length; i++)
            {
                if (!modules.TryGetValue(group[i], out var module))
                {
                    throw new FusionException($"Fusion group [{string.Join(", ", group)}]: the model has no module named '{group[i]}'.");
                }
                found[i] = module as Layer is { Substitute: null } layer
                    ? layer
                    : throw new FusionException($"Fusion group [{string.Join(", ", group)}]: '{group[i]}' ({module.GetType().Name}) is not a layer that can be fused, or is already fused.");
            }

            string pattern = string.Join(", ", found.Select(m => m.GetType().Name));
            var plan = found switch
            {
                [Conv2d conv, BatchNorm bn] when SameDimensionality(conv, bn) => new FusionPlan(conv, bn, FusedActivation.None, [bn]),
                [Conv2d conv, BatchNorm bn, ReLU relu] when SameDimensionality(conv, bn) => new FusionPlan(conv, bn, FusedActivation.ReLU, [bn, relu]),
                [Conv2d conv, BatchNorm bn, ReLU6 relu6] when SameDimensionality(conv, bn) => new FusionPlan(conv, bn, FusedActivation.ReLU6, [bn, relu6]),
                [Conv2d conv, ReLU relu] => new FusionPlan(conv, null, FusedActivation.ReLU, [relu]),
                [Conv2d conv, ReLU6 relu6] => new FusionPlan(conv, null, FusedActivation.ReLU6, [relu6]),
                [Linear linear, BatchNorm1d bn] => new FusionPlan(linear, bn, FusedActivation.None, [bn]),
                [Linear linear, ReLU relu] => new FusionPlan(linear, null, FusedActivation.ReLU, [relu]),
                [ConvTranspose2d transposed, BatchNorm2d bn] => new FusionPlan(transposed, bn, FusedActivation.None, [bn]),
                [BatchNorm2d bn, ReLU relu] => new FusionPlan(bn, null, FusedActivation.ReLU, [relu]),
                _ => throw new FusionException(
                    $"Fusion group [{string.Join(", ", group)}] is ({pattern}); supported: (Conv2d, BatchNorm2d[, ReLU|ReLU6]), " +
                    "(Conv1d, BatchNorm1d[, ReLU|ReLU6]), (Conv2d|Conv1d, ReLU|ReLU6), (Linear, BatchNorm1d), (Linear, ReLU), " +
                    "(ConvTranspose2d, BatchNorm2d), (BatchNorm2d, ReLU)."),
            };
            plan.Check(group, forTraining);
            return plan;
        }

        /// <summary>A BatchNorm2d fuses into a Conv2d, a BatchNorm1d into a Conv1d.</summary>
        private static bool SameDimensionality(Conv2d conv, BatchNorm bn) => conv is Conv1d == bn is BatchNorm1d;

        private void Check(string[] group, bool forTraining)
        {
            string name = $"Fusion group [{string.Join(", ", group)}]";
            if (Head is Conv2d { Activation: not FusedActivation.None } or Linear { Activation: not FusedActivation.None } or BatchNorm2d { Activation: not FusedActivation.None })
            {
                throw new FusionException($"{name}: '{group[0]}' already has a fused activation.");
            }
            if (BatchNorm is null) return;
            var (folded, outputs, what) = Head switch
            {
                Conv2d conv => (conv.HasFoldedBatchNorm, conv.OutChannels, "the convolution has {0} output channels"),
                ConvTranspose2d transposed => (transposed.HasFoldedBatchNorm, transposed.OutChannels, "the convolution has {0} output channels"),
                Linear linear => (linear.HasFoldedBatchNorm, linear.OutFeatures, "the linear layer has {0} output features"),
                _ => throw new InvalidOperationException($"{Head.GetType().Name} folds no BatchNorm."),
            };
            if (folded) throw new FusionException($"{name}: '{group[0]}' already has a BatchNorm folded in.");
            if (BatchNorm.NumFeatures != outputs)
            {
                throw new FusionException($"{name}: the BatchNorm has {BatchNorm.NumFeatures} features but {string.Format(what, outputs)}.");
            }
            if (forTraining && Head is ConvTranspose2d)
            {
                throw new FusionException($"{name}: ConvTranspose2d + BatchNorm2d has no quantization-aware-training form (nor in PyTorch 1.13); fuse it with FuseModules after training.");
            }
            if (forTraining && Head is Linear)
            {
                throw new FusionException($"{name}: Linear+BatchNorm1d fuses for post-training quantization only (FuseModules in eval mode); for quantization-aware training leave the BatchNorm1d unfused.");
            }
            if (!forTraining && (Head.Training || BatchNorm.Training))
            {
                throw new FusionException($"{name}: folding a BatchNorm needs eval mode (call model.Eval() first); or FuseModulesQat to keep it training for quantization-aware training.");
            }
        }

        public void Apply(bool forTraining)
        {
            switch (Head, BatchNorm)
            {
                case (_, null): break;
                case (Conv2d conv, _) when forTraining: Head.Substitute = new QatConv2d(conv, BatchNorm, weightFakeQuant: null); break;
                case (Conv2d conv, _): conv.FoldBatchNorm(BatchNorm); break;
                case (ConvTranspose2d transposed, BatchNorm2d bn): transposed.FoldBatchNorm(bn); break;
                case (Linear linear, BatchNorm1d bn): linear.FoldBatchNorm(bn); break;
            }
            switch (Head)
            {
                case Conv2d conv: conv.Activation = Activation; break;
                case Linear linear: linear.Activation = Activation; break;
                case BatchNorm2d batchNorm: batchNorm.Activation = Activation; break;
            }
            foreach (var absorbed in Absorbed)
            {
                absorbed.Substitute = new Identity();
                Heads.AddOrUpdate(absorbed, Head);
            }
        }
    }
}
