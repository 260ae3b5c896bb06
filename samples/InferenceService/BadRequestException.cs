namespace InferenceService;

/// <summary>A request the service cannot answer; becomes a 400 problem-details body with this title and detail.</summary>
public sealed class BadRequestException(string title, string detail) : Exception(detail)
{
    public string Title { get; } = title;
}
