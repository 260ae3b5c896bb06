// Load for samples/InferenceService, on loopback:
//   dotnet run -c Release --project samples/InferenceService.Load -- --clients 16 --requests 200
// starts the service in this process on 127.0.0.1 (a free port), computes each image's answer on one thread, then
// runs the clients and prints p50/p99 latency and requests per second. Exit code 1 if any request failed or differed.
using System.Net;
using InferenceService;
using InferenceService.Load;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using QuantGen.IO;

var options = LoadOptions.Parse(args);
var app = InferenceApp.Create(
    [$"--Model:CalibrationImages={options.CalibrationImages}", .. options.Qgm is null ? Array.Empty<string>() : [$"--Model:Qgm={options.Qgm}"]],
    builder =>
    {
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
    });
await app.StartAsync();
string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

var test = MnistSet.LoadTest();
var images = Enumerable.Range(0, Math.Min(options.Images, test.Count)).Select(i => test.Image(i).ToArray()).ToList();
var classifier = app.Services.GetRequiredService<DigitClassifier>();
var expected = images.Select(image => classifier.Classify(image)[0]).ToList();

using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients, UseProxy = false })
{
    BaseAddress = new Uri(address),
    DefaultRequestVersion = HttpVersion.Version11,
};
Console.WriteLine($"InferenceService on {address}; {Environment.ProcessorCount} logical cores; {images.Count} MNIST test images");
var warmup = await LoadRun.RunAsync(client, images, expected, options.Clients, options.WarmupRequests);
Console.WriteLine($"warm-up: {warmup}");
var report = await LoadRun.RunAsync(client, images, expected, options.Clients, options.Requests);
Console.WriteLine($"measured: {report}");
foreach (string problem in report.FirstProblems) Console.WriteLine($"  {problem}");
await app.StopAsync();
return report.Failed + report.Wrong == 0 ? 0 : 1;

/// <summary>Command-line options: <c>--clients N --requests N --warmup N --images N --calibration-images N --qgm PATH</c>.</summary>
internal sealed record LoadOptions(int Clients, int Requests, int WarmupRequests, int Images, int CalibrationImages, string? Qgm)
{
    public static LoadOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}': use --clients N --requests N --warmup N --images N --calibration-images N --qgm PATH.");
            }
            values[args[i][2..]] = args[++i];
        }
        int Int(string name, int fallback) => values.TryGetValue(name, out var text) ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;
        var options = new LoadOptions(Int("clients", 16), Int("requests", 200), Int("warmup", 20), Int("images", 3200), Int("calibration-images", 2048), values.GetValueOrDefault("qgm"));
        if (options.Clients < 1 || options.Requests < 1 || options.Requests > 100_000 || options.Clients > 256 || options.Images < 1)
        {
            throw new ArgumentException("Expected 1–256 clients, 1–100,000 requests each and at least 1 image.");
        }
        return options;
    }
}
