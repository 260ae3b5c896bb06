using QuantGen.Nn;

namespace QuantGen.Tests.Nn;

/// <summary>
/// The runtime side of child order: a class's registered order (what the generator records at compile time) decides
/// the order of its children, base class first; a class nobody registered keeps reflection's order.
/// </summary>
public sealed class ChildOrderTests
{
    private class Base : Module
    {
        readonly ReLU alpha = new();
        readonly ReLU beta = new();
        public override Tensor Forward(Tensor x) => beta.Forward(alpha.Forward(x));
    }

    private sealed class Derived : Base
    {
        readonly ReLU gamma = new();
        readonly Module[] delta = [new ReLU(), new ReLU()];
        public override Tensor Forward(Tensor x) => delta[1].Forward(delta[0].Forward(gamma.Forward(base.Forward(x))));
    }

    private sealed class Unregistered : Module
    {
        readonly ReLU one = new();
        readonly ReLU two = new();
        public override Tensor Forward(Tensor x) => two.Forward(one.Forward(x));
    }

    [Fact]
    public void Registered_order_decides_each_class_s_children_base_class_first()
    {
        // Deliberately not declaration order, so that the order seen can only have come from the registration.
        ChildOrder.Register(typeof(Base).Assembly, typeof(Base).FullName!, "beta", "alpha");
        ChildOrder.Register(typeof(Derived).Assembly, typeof(Derived).FullName!, "delta", "gamma");

        Assert.Equal(["beta", "alpha", "delta.0", "delta.1", "gamma"], new Derived().NamedChildren().Select(c => c.Name));
    }

    [Fact]
    public void Unregistered_class_keeps_the_order_reflection_lists_its_fields_in()
    {
        Assert.Equal(["one", "two"], new Unregistered().NamedChildren().Select(c => c.Name));
    }
}
