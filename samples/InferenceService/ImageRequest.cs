using InferenceService.Imaging;
using Microsoft.Net.Http.Headers;

namespace InferenceService;

/// <summary>
/// Turns a POST /predict body into grey pixels, whole 28×28 images: a PNG of one image (<c>image/png</c>), or raw
/// bytes (<c>application/octet-stream</c>) of one or more images, 784 bytes each, row by row. Every refusal is a
/// <see cref="BadRequestException"/> that says what was wrong and what to send.
/// </summary>
public static class ImageRequest
{
    private const string Png = "image/png", Raw = "application/octet-stream";
    private const int Side = 28;

    public static async Task<byte[]> ReadPixelsAsync(HttpRequest request, ModelOptions options, CancellationToken cancellation)
    {
        string mediaType = MediaTypeOf(request);
        byte[] body = await ReadBodyAsync(request, options.MaxBodyBytes, cancellation);
        if (body.Length == 0)
        {
            throw new BadRequestException("Empty body",
                $"The request has no body: send a 28×28 grey image as {Png}, or {DigitClassifier.ImageBytes} raw bytes per image as {Raw}.");
        }
        return mediaType == Png || (mediaType == Raw && PngDecoder.HasSignature(body)) ? FromPng(body) : FromRaw(body, options.MaxBatch);
    }

    private static string MediaTypeOf(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.ContentType)) return Raw;
        string mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value?.ToLowerInvariant() ?? "" : "";
        return mediaType is Png or Raw
            ? mediaType
            : throw new BadRequestException("Unsupported content type",
                $"Content-Type '{request.ContentType}' is not read here: send {Png} (one 28×28 image) or {Raw} ({DigitClassifier.ImageBytes} bytes per image).");
    }

    /// <summary>The body, refused as soon as it is known to exceed <paramref name="limit"/> (by its Content-Length, or while reading).</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellation)
    {
        if (request.ContentLength > limit) throw TooLarge(request.ContentLength.Value.ToString("N0"), limit);
        var buffer = new MemoryStream(request.ContentLength is { } known ? (int)known : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > limit) throw TooLarge($"more than {limit:N0}", limit);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static BadRequestException TooLarge(string size, int limit) =>
        new("Body too large", $"The body is {size} bytes; this service reads at most {limit:N0} (one PNG, or up to the batch limit of raw images).");

    private static byte[] FromPng(byte[] body)
    {
        try
        {
            var (width, height, grey) = PngDecoder.Decode(body, maxPixels: Side * Side * 64);
            if (width != Side || height != Side)
            {
                throw new BadRequestException("Wrong image size", $"The PNG is {width}×{height}; expected a 28×28 grey image, as MNIST's.");
            }
            return grey;
        }
        catch (PngFormatException e)
        {
            throw new BadRequestException("Not a PNG image", $"{e.Message}. Send a 28×28 8-bit greyscale or RGB PNG, or raw bytes as {Raw}.");
        }
    }

    private static byte[] FromRaw(byte[] body, int maxBatch)
    {
        int images = body.Length / DigitClassifier.ImageBytes;
        if (body.Length % DigitClassifier.ImageBytes != 0)
        {
            throw new BadRequestException("Wrong body size",
                $"The body is {body.Length} bytes, not a whole number of 28×28 images: expected {DigitClassifier.ImageBytes} bytes per image " +
                "(one grey byte per pixel, row by row), or a PNG as image/png.");
        }
        if (images > maxBatch)
        {
            throw new BadRequestException("Batch too large", $"The body holds {images} images; this service takes at most {maxBatch} per request.");
        }
        return body;
    }
}
