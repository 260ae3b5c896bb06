using InferenceService;
using InferenceService.Load;

namespace QuantGen.Service.Tests;

/// <summary>
/// 16 concurrent clients × 200 requests of real MNIST test images (3,200 distinct images, raw and PNG alternately)
/// against the one shared model: no request fails and every answer equals the single-threaded answer for its image.
/// Latency and throughput are the load command's to report (samples/InferenceService.Load), not asserted here.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class LoadTests(ServiceFixture service)
{
    /// <summary>Clients at once; QUANTGEN_LOAD_CLIENTS overrides it (1 checks the service logic alone).</summary>
    private static int Clients => int.TryParse(Environment.GetEnvironmentVariable("QUANTGEN_LOAD_CLIENTS"), out int n) ? n : 16;

    private const int RequestsPerClient = 200;

    [Fact]
    public async Task Concurrent_clients_get_the_single_threaded_answer_for_every_image()
    {
        int count = Clients * RequestsPerClient;
        var images = Enumerable.Range(0, count).Select(i => service.TestImages.Image(i % service.TestImages.Count).ToArray()).ToList();
        var expected = images.Select(image => service.Classifier.Classify(image).Single()).ToList();

        var report = await LoadRun.RunAsync(service.Client, images, expected, Clients, RequestsPerClient).WaitAsync(TimeSpan.FromMinutes(5));

        Assert.True(report.Failed == 0 && report.Wrong == 0, $"{report}{Environment.NewLine}{string.Join(Environment.NewLine, report.FirstProblems)}");
        Assert.Equal(count, report.Requests);
        // The answers are the model's, not a constant: the labels agree with most of them.
        int correct = expected.Select((p, i) => p.Class == service.TestImages.Labels[i % service.TestImages.Count] ? 1 : 0).Sum();
        Assert.True(correct > count * 0.95, $"{correct} of {count} single-threaded answers match the labels");
    }
}
