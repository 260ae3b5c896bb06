using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/QuantGen.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
