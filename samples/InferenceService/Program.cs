// The MNIST MobileNetV2 int8 model as a web service: see README.md ("Serving it").
//   dotnet run -c Release --project samples/InferenceService
//   curl --data-binary @digit.png -H 'Content-Type: image/png' http://localhost:5000/predict
InferenceService.InferenceApp.Create(args).Run();
