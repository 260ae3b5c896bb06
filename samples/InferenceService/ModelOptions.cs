namespace InferenceService;

/// <summary>
/// Where the model comes from and what a request may hold; bound from the <c>Model</c> section of configuration
/// (appsettings.json, <c>--Model:Qgm=path</c> on the command line, or <c>Model__Qgm</c> in the environment).
/// </summary>
public sealed class ModelOptions
{
    public const string Section = "Model";

    /// <summary>A .qgm file of a converted MobileNetV2 to serve; when unset the float fixture is calibrated at start.</summary>
    public string? Qgm { get; set; }

    /// <summary>After calibrating, save the converted model here (then serve it with <see cref="Qgm"/> next time).</summary>
    public string? SaveQgm { get; set; }

    /// <summary>The shared folder (fixtures, MNIST); found beside the repository when unset, as the samples do.</summary>
    public string? Shared { get; set; }

    /// <summary>MNIST training images calibration runs on, from the first, in batches of 64 (the main job uses 2048).</summary>
    public int CalibrationImages { get; set; } = 2048;

    /// <summary>The most images one POST /predict may carry.</summary>
    public int MaxBatch { get; set; } = 64;

    /// <summary>The largest request body read; a longer one is refused before it is read in full.</summary>
    public int MaxBodyBytes { get; set; } = 1 << 20;
}
