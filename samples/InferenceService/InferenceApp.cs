namespace InferenceService;

/// <summary>
/// Builds the web application: options, the one <see cref="DigitClassifier"/> (loaded here, before the first request,
/// and shared by all), problem details for every error status, and the routes.
/// </summary>
public static class InferenceApp
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        builder.Services.Configure<ModelOptions>(builder.Configuration.GetSection(ModelOptions.Section));
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ServiceJson.Default));
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(services => ModelLoader.Load(
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ModelOptions>>().Value,
            services.GetRequiredService<ILogger<DigitClassifier>>()));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        Endpoints.Map(app);
        // Loaded now, not on the first request: a model that cannot load stops the service at start, and the first
        // caller does not wait for calibration.
        app.Services.GetRequiredService<DigitClassifier>();
        return app;
    }
}
