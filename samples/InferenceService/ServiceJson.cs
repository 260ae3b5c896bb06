using System.Text.Json;
using System.Text.Json.Serialization;

namespace InferenceService;

/// <summary>The response types' JSON, generated at compile time (no reflection), camelCase as ASP.NET Core's default.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ModelSummary))]
internal sealed partial class ServiceJson : JsonSerializerContext;
