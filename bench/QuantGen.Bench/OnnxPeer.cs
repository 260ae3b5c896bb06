using Microsoft.ML.OnnxRuntime;

namespace QuantGen.Bench;

/// <summary>
/// ONNX Runtime on one thread, inputs and outputs bound to preallocated buffers so that it is timed
/// doing inference only, the way a careful user would run it.
/// </summary>
internal sealed class OnnxPeer : IDisposable
{
    private readonly InferenceSession session;
    private readonly OrtValue input;
    private readonly OrtValue output;
    private readonly RunOptions runOptions = new();
    private readonly string[] inputNames;
    private readonly string[] outputNames;

    /// <param name="profilePrefix">When set, ORT records every node of every run (<see cref="EndProfiling"/> names the file).</param>
    public OnnxPeer(string modelPath, float[] inputData, long[] inputShape, float[] outputData, long[] outputShape, string? profilePrefix = null)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (profilePrefix is not null)
        {
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = profilePrefix;
        }
        session = new InferenceSession(modelPath, options);
        inputNames = [session.InputNames[0]];
        outputNames = [session.OutputNames[0]];
        input = OrtValue.CreateTensorValueFromMemory(inputData, inputShape);
        output = OrtValue.CreateTensorValueFromMemory(outputData, outputShape);
    }

    public void Run() => session.Run(runOptions, inputNames, [input], outputNames, [output]);

    /// <summary>Stops ORT's profiler and returns the JSON file it wrote.</summary>
    public string EndProfiling() => session.EndProfiling();

    public void Dispose()
    {
        input.Dispose();
        output.Dispose();
        runOptions.Dispose();
        session.Dispose();
    }
}
