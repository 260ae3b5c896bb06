using System.Diagnostics;
using System.Net.Http.Headers;

namespace InferenceService.Load;

/// <summary>
/// Concurrent clients, each sending its own run of images one request at a time (alternately raw bytes and PNG), every
/// answer compared with the expected one for that image. Shared by the load command and the service's load test.
/// </summary>
public static class LoadRun
{
    /// <param name="images">The images to send, 784 grey bytes each; client c sends images c·R … c·R + R − 1 (mod the count).</param>
    /// <param name="expected">The single-threaded answer for each image.</param>
    public static async Task<LoadReport> RunAsync(HttpClient client, IReadOnlyList<byte[]> images, IReadOnlyList<Prediction> expected, int clients, int requestsPerClient)
    {
        var pngs = images.Select(i => PngEncoder.Greyscale(i, 28, 28)).ToArray();
        var latencies = new double[clients * requestsPerClient];
        var problems = new System.Collections.Concurrent.ConcurrentQueue<string>();
        int failed = 0, wrong = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (int r = 0; r < requestsPerClient; r++)
            {
                int image = (c * requestsPerClient + r) % images.Count;
                bool png = r % 2 == 1;
                using var content = new ByteArrayContent(png ? pngs[image] : images[image]);
                content.Headers.ContentType = new MediaTypeHeaderValue(png ? "image/png" : "application/octet-stream");
                long start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.PostAsync("/predict", content);
                    string body = await response.Content.ReadAsStringAsync();
                    latencies[c * requestsPerClient + r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failed);
                        problems.Enqueue($"client {c}, image {image}: {(int)response.StatusCode} {body}");
                        continue;
                    }
                    var answer = System.Text.Json.JsonSerializer.Deserialize<PredictResponse>(body, System.Text.Json.JsonSerializerOptions.Web)!.Predictions.Single();
                    if (answer.Class != expected[image].Class || !answer.Probabilities.SequenceEqual(expected[image].Probabilities))
                    {
                        Interlocked.Increment(ref wrong);
                        problems.Enqueue($"client {c}, image {image}: answered class {answer.Class} [{string.Join(", ", answer.Probabilities)}], " +
                            $"single-threaded {expected[image].Class} [{string.Join(", ", expected[image].Probabilities)}]");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
                {
                    latencies[c * requestsPerClient + r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    Interlocked.Increment(ref failed);
                    problems.Enqueue($"client {c}, image {image}: {e.GetType().Name}: {e.Message}");
                }
            }
        })));
        return new LoadReport(clients, requestsPerClient, failed, wrong, clock.Elapsed, latencies, [.. problems.Take(20)]);
    }
}

/// <summary>What a load run saw: counts, wall time, and every request's latency (ms).</summary>
public sealed record LoadReport(int Clients, int RequestsPerClient, int Failed, int Wrong, TimeSpan Elapsed, double[] LatenciesMs, string[] FirstProblems)
{
    public int Requests => Clients * RequestsPerClient;

    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    /// <summary>The latency below which <paramref name="percent"/> % of requests fall (nearest rank).</summary>
    public double Percentile(double percent)
    {
        var sorted = LatenciesMs.Order().ToArray();
        int rank = Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[rank];
    }

    public override string ToString() =>
        $"{Clients} clients × {RequestsPerClient} requests = {Requests}: {Failed} failed, {Wrong} wrong; {Elapsed.TotalSeconds:F2} s, " +
        $"{RequestsPerSecond:F0} requests/s; latency p50 {Percentile(50):F2} ms, p90 {Percentile(90):F2} ms, p99 {Percentile(99):F2} ms, max {LatenciesMs.Max():F2} ms";
}
