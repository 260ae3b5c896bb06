namespace QuantGen.Nn;

/// <summary>What a <see cref="Layer.Hook"/> is told after each call: the layer, the tensors it was given, and what it returned.</summary>
internal delegate void LayerHook(Layer layer, Tensor[] inputs, Tensor output);
