using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using InferenceService;
using InferenceService.Load;

namespace QuantGen.Service.Tests;

/// <summary>
/// Requests the service cannot answer get 400 with a problem-details body whose title and detail say what was wrong;
/// the service answers the next good request as before. And the other routes: /health, /model, batches.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class MalformedRequestTests(ServiceFixture service)
{
    private const string Raw = "application/octet-stream", Png = "image/png";

    public static TheoryData<string, string, string, string> Malformed => new()
    {
        { "empty body", Raw, "Empty body", "The request has no body" },
        { "783 bytes", Raw, "Wrong body size", "The body is 783 bytes, not a whole number of 28×28 images: expected 784 bytes per image" },
        { "785 bytes", Raw, "Wrong body size", "The body is 785 bytes" },
        { "65 images", Raw, "Batch too large", "The body holds 65 images; this service takes at most 64 per request" },
        { "2 MB", Raw, "Body too large", "The body is 2,000,000 bytes; this service reads at most 1,048,576" },
        { "text as a PNG", Png, "Not a PNG image", "the bytes do not begin with the PNG signature" },
        { "a 27×28 PNG", Png, "Wrong image size", "The PNG is 27×28; expected a 28×28 grey image" },
        { "a PNG with a damaged CRC", Png, "Not a PNG image", "chunk IDAT at byte 33 fails its CRC" },
        { "a PNG cut short", Png, "Not a PNG image", "the file is truncated" },
        { "an RGBA PNG", Png, "Not a PNG image", "the image has an alpha channel (colour type 6)" },
        { "a JPEG content type", "image/jpeg", "Unsupported content type", "Content-Type 'image/jpeg' is not read here" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_request_is_a_400_problem_saying_what_was_wrong_and_the_service_keeps_serving(string what, string contentType, string title, string detail)
    {
        using var content = new ByteArrayContent(Body(what));
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var response = await service.Client.PostAsync("/predict", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(title, problem.RootElement.GetProperty("title").GetString());
        Assert.Contains(detail, problem.RootElement.GetProperty("detail").GetString());
        await A_raw_image_gets_its_single_threaded_answer();
    }

    [Fact]
    public async Task A_raw_image_gets_its_single_threaded_answer()
    {
        byte[] image = service.TestImages.Image(0).ToArray();

        var answer = await Predict(image, Raw);

        Assert.Equal(7, service.TestImages.Labels[0]);
        Assert.Equal(7, answer.Single().Class);
        Assert.Equal(service.Classifier.Classify(image).Single().Probabilities, answer.Single().Probabilities);
        Assert.Equal(1.0, answer.Single().Probabilities.Sum(p => (double)p), 5);
    }

    [Fact]
    public async Task A_PNG_gets_the_same_answer_as_its_raw_pixels()
    {
        byte[] image = service.TestImages.Image(1).ToArray();

        var fromPng = await Predict(PngEncoder.Greyscale(image, 28, 28), Png);
        var fromRaw = await Predict(image, Raw);

        Assert.Equal(fromRaw.Single().Probabilities, fromPng.Single().Probabilities);
    }

    [Fact]
    public async Task A_batch_of_raw_images_gets_one_answer_per_image_in_order_equal_to_one_at_a_time()
    {
        byte[] batch = service.TestImages.Pixels[..(5 * 784)].ToArray();

        var answers = await Predict(batch, Raw);

        Assert.Equal(5, answers.Length);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(service.Classifier.Classify(service.TestImages.Image(i)).Single().Probabilities, answers[i].Probabilities);
        }
    }

    [Fact]
    public async Task Health_and_model_describe_the_served_model()
    {
        using var health = JsonDocument.Parse(await service.Client.GetStringAsync("/health"));
        using var model = JsonDocument.Parse(await service.Client.GetStringAsync("/model"));

        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
        var root = model.RootElement;
        Assert.Equal("QuantGen.Models.MobileNetV2", root.GetProperty("architecture").GetString());
        Assert.Contains("on the first 256 MNIST training images", root.GetProperty("source").GetString());
        Assert.Equal([1, 28, 28], root.GetProperty("inputShape").EnumerateArray().Select(d => d.GetInt32()));
        var layers = root.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal("quant", layers[0].GetProperty("path").GetString());
        Assert.Equal("QuantizedLinear", layers[^1].GetProperty("kind").GetString());
        // MobileNetV2's int8 weights: 2.2 MB, every one of them counted once.
        Assert.Equal(layers.Sum(l => l.GetProperty("weightBytes").GetInt64()), root.GetProperty("int8WeightBytes").GetInt64());
        Assert.InRange(root.GetProperty("int8WeightBytes").GetInt64(), 2_000_000, 2_400_000);
        Assert.All(layers, l => Assert.True(l.GetProperty("output").GetProperty("scale").GetSingle() > 0));
    }

    private async Task<Prediction[]> Predict(byte[] body, string contentType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await service.Client.PostAsync("/predict", content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonSerializer.Deserialize<PredictResponse>(text, JsonSerializerOptions.Web)!.Predictions;
    }

    private byte[] Body(string what)
    {
        byte[] image = service.TestImages.Image(0).ToArray();
        byte[] png = PngEncoder.Greyscale(image, 28, 28);
        return what switch
        {
            "empty body" => [],
            "783 bytes" => image[..783],
            "785 bytes" => [.. image, 0],
            "65 images" => new byte[65 * 784],
            "2 MB" => new byte[2_000_000],
            "text as a PNG" or "a JPEG content type" => "hello, not an image"u8.ToArray(),
            "a 27×28 PNG" => PngEncoder.Greyscale(image[..(27 * 28)], 27, 28),
            "a PNG with a damaged CRC" => Damaged(png),
            "a PNG cut short" => png[..(png.Length - 20)],
            "an RGBA PNG" => PngFiles.Rgba(28, 28),
            _ => throw new ArgumentException(what),
        };
    }

    private static byte[] Damaged(byte[] png)
    {
        byte[] copy = (byte[])png.Clone();
        copy[33 + 8] ^= 0x01;   // the first byte of IDAT's data (IHDR is bytes 8–32)
        return copy;
    }
}
