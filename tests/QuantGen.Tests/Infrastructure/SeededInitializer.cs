using System.Reflection;
using QuantGen.Nn;
using Xunit.Sdk;

[assembly: QuantGen.Tests.Infrastructure.SeededInitializer]

namespace QuantGen.Tests.Infrastructure;

/// <summary>
/// Every test starts from the same default-initializer seed. The initializer's generator is per thread, and xunit
/// reuses threads, so without this a test's random weights depended on which tests ran before it on its thread.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
public sealed class SeededInitializerAttribute : BeforeAfterTestAttribute
{
    public const int Seed = 0;

    public override void Before(MethodInfo methodUnderTest) => Init.ManualSeed(Seed);
}
