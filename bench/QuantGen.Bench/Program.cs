using BenchmarkDotNet.Running;
using QuantGen.Bench;

// dotnet run -c Release --project bench/QuantGen.Bench -- --filter '*'
// dotnet run -c Release --project bench/QuantGen.Bench -- --layers 1     (per-layer table, see LayerProfile)
// dotnet run -c Release --project bench/QuantGen.Bench -- --steps 64     (the generated pass step by step, see StepProfile)
if (args is ["--layers", ..])
{
    LayerProfile.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1);
    return;
}
if (args is ["--steps", ..])
{
    StepProfile.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
