using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using QuantGen.IO;

namespace QuantGen.Service.Tests;

/// <summary>
/// The service started once for every test in the collection, in-process: calibrated on 256 MNIST training images
/// (the real path, fewer images to stay quick), and the MNIST test set the requests are made of.
/// </summary>
public sealed class ServiceFixture : IDisposable
{
    // Any type of the service's assembly names its entry point to the factory.
    private readonly WebApplicationFactory<InferenceService.DigitClassifier> factory = new WebApplicationFactory<InferenceService.DigitClassifier>()
        .WithWebHostBuilder(builder => builder.UseSetting("Model:CalibrationImages", "256"));

    public ServiceFixture()
    {
        Client = factory.CreateClient();
        Classifier = factory.Services.GetRequiredService<InferenceService.DigitClassifier>();
    }

    public HttpClient Client { get; }

    /// <summary>The service's one model, for answers computed on a single thread.</summary>
    public InferenceService.DigitClassifier Classifier { get; }

    public MnistSet TestImages { get; } = MnistSet.LoadTest();

    public void Dispose()
    {
        Client.Dispose();
        factory.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceCollection : ICollectionFixture<ServiceFixture>
{
    public const string Name = "service";
}
