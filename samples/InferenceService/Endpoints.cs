using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace InferenceService;

/// <summary>The service's routes: POST /predict, GET /health, GET /model.</summary>
public static class Endpoints
{
    public static void Map(WebApplication app)
    {
        // The body is read by hand (ImageRequest), not bound: a wrong content type or size gets a 400 that says what to send.
        app.MapPost("/predict", PredictAsync);
        app.MapGet("/health", (DigitClassifier classifier) => TypedResults.Ok(new HealthResponse("ok", classifier.Summary.Architecture)));
        app.MapGet("/model", (DigitClassifier classifier) => TypedResults.Ok(classifier.Summary));
    }

    private static async Task<Results<Ok<PredictResponse>, ProblemHttpResult>> PredictAsync(
        HttpRequest request, DigitClassifier classifier, IOptions<ModelOptions> options, CancellationToken cancellation)
    {
        try
        {
            byte[] pixels = await ImageRequest.ReadPixelsAsync(request, options.Value, cancellation);
            return TypedResults.Ok(new PredictResponse(classifier.Classify(pixels)));
        }
        catch (BadRequestException e)
        {
            return TypedResults.Problem(title: e.Title, detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }
}

public sealed record PredictResponse(Prediction[] Predictions);

public sealed record HealthResponse(string Status, string Model);
