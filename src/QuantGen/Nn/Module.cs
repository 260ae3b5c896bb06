using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace QuantGen.Nn;

/// <summary>
/// The base of every layer and model, as PyTorch's <c>nn.Module</c>: it owns named parameters and buffers,
/// holds child modules, and names them all by dotted paths (<c>features.1.conv.0.0.weight</c>) so that
/// PyTorch state dicts load without renaming.
/// </summary>
/// <remarks>
/// Children are the fields (and auto-properties) of module type, in declaration order, named by the field —
/// so <c>readonly Conv2d conv1 = new(...)</c> is <c>conv1</c>, as the attribute is in PyTorch — plus any
/// registered with <see cref="RegisterModule{T}"/>. Fields holding arrays of modules are named
/// <c>field.0</c>, <c>field.1</c>… like a <c>ModuleList</c>. Like PyTorch, a new module is in training mode:
/// call <see cref="Eval"/> before inference.
/// <para>
/// <b>Thread safety.</b> A module, float or converted, is not safe for concurrent use, as a PyTorch module is not: a
/// call may record autograd state and feed its observers, and training, fusion, prepare and convert change it in
/// place. Use each module from one thread at a time. To serve int8 inference from many threads, share the generated
/// <c>Int8</c> pass instead: any number of threads may call it at once.
/// </para>
/// </remarks>
[DynamicallyAccessedMembers(ChildFields.Members)]
public abstract class Module
{
    private readonly List<StateSlot> slots = [];
    private readonly List<ChildSlot> registeredChildren = [];

    /// <summary>A registered child; the module in it can be swapped (fusion, observers) without renaming.</summary>
    private sealed class ChildSlot(string name, Module module)
    {
        public string Name { get; } = name;
        public Module Module { get; set; } = module;
    }

    /// <summary>True in training mode (batch statistics, dropout), false after <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>
    /// This module's dotted path in its model (empty for the root), used to name it in errors. Set when the model is
    /// walked (Eval, LoadStateDict, NamedModules, …), when a child is attached, and for a layer's substitute.
    /// </summary>
    public string Path { get; internal set; } = "";

    /// <summary><paramref name="name"/> under <paramref name="parent"/>'s dotted path.</summary>
    internal static string JoinPath(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    /// <summary>Runs the module. Modules with other inputs (such as <see cref="Nn.Add"/>) define their own overloads.</summary>
    public virtual Tensor Forward(Tensor input) =>
        throw new NotSupportedException($"{Describe()} does not define Forward(Tensor); override it.");

    // ---- registration ----------------------------------------------------------------------------

    /// <summary>Registers a learnable tensor; like PyTorch's <c>nn.Parameter</c> it requires grad.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        AddSlot(new TensorSlot(name, value, isParameter: true));
        value.RequiresGrad = true;
        return value;
    }

    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        AddSlot(new TensorSlot(name, value, isParameter: false));
        return value;
    }

    /// <summary>
    /// Registers a float vector buffer whose length is only known from data, read and replaced through
    /// <paramref name="get"/>/<paramref name="set"/>; loading a state dict accepts any length and calls <paramref name="set"/>.
    /// </summary>
    protected void RegisterResizableBuffer(string name, Func<Tensor> get, Action<Tensor> set) =>
        AddSlot(new ResizableVectorSlot(name, get, set));

    /// <summary>Registers an integer scalar buffer that lives in a field of the module (e.g. a step counter).</summary>
    protected void RegisterInt64Buffer(string name, Func<long> get, Action<long> set) =>
        AddSlot(new Int64ScalarSlot(name, get, set));

    /// <summary>
    /// Registers an integer vector buffer that lives in a field of the module, stored as <paramref name="dtype"/>
    /// (U8 or I32); with <paramref name="resizable"/> a loaded state dict may change its length.
    /// </summary>
    private protected void RegisterIntegerBuffer(string name, DType dtype, bool resizable, Func<int[]> get, Action<int[]> set) =>
        AddSlot(new IntegerVectorSlot(name, dtype, resizable, get, set));

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        if (registeredChildren.Exists(c => c.Name == name))
        {
            throw new ArgumentException($"{Describe()} already has a child named '{name}'.", nameof(name));
        }
        registeredChildren.Add(new ChildSlot(name, module));
        return module;
    }

    /// <summary>The registered child named <paramref name="name"/>, or null.</summary>
    protected Module? ChildOrNull(string name) => registeredChildren.Find(c => c.Name == name)?.Module;

    /// <summary>Adds, replaces (keeping its place) or, with null, removes a registered child.</summary>
    internal void SetChild(string name, Module? module)
    {
        int index = registeredChildren.FindIndex(c => c.Name == name);
        if (module is null)
        {
            if (index >= 0) registeredChildren.RemoveAt(index);
        }
        else if (index >= 0)
        {
            registeredChildren[index].Module = module;
        }
        else
        {
            registeredChildren.Add(new ChildSlot(name, module));
        }
        if (module is not null) module.Path = JoinPath(Path, name);
    }

    /// <summary>The registered children in order, for containers that run them (<see cref="Sequential"/>).</summary>
    private protected IEnumerable<Module> RegisteredChildren()
    {
        foreach (var slot in registeredChildren) yield return slot.Module;
    }

    private void AddSlot(StateSlot slot)
    {
        if (slots.Exists(s => s.Name == slot.Name))
        {
            throw new ArgumentException($"{Describe()} already has a parameter or buffer named '{slot.Name}'.");
        }
        slots.Add(slot);
    }

    // ---- the module tree -------------------------------------------------------------------------

    /// <summary>Direct children with their names, registered ones first, then fields in declaration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        foreach (var slot in registeredChildren) yield return (slot.Name, slot.Module);
        foreach (var child in ChildFields.Read(this)) yield return child;
    }

    /// <summary>
    /// This module (named "") and every descendant, depth first, each once, with its dotted path relative to this
    /// module. Each descendant's <see cref="Path"/> is set to its full path, under this module's own.
    /// </summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        var result = new List<(string, Module)>();
        Visit(this, "", seen, result);
        return result;

        void Visit(Module module, string relative, HashSet<Module> seen, List<(string, Module)> result)
        {
            if (!seen.Add(module)) return;
            if (relative.Length > 0) module.Path = JoinPath(Path, relative);
            result.Add((relative, module));
            foreach (var (name, child) in module.NamedChildren()) Visit(child, JoinPath(relative, name), seen, result);
        }
    }

    public IEnumerable<Module> Modules() => NamedModules().Select(m => m.Module);

    /// <summary>The descendant at a dotted path (<c>features.1.conv.0</c>), as PyTorch's <c>get_submodule</c>; null if none.</summary>
    public Module? GetSubmodule(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var (name, module) in NamedModules())
        {
            if (name == path) return module;
        }
        return null;
    }

    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters() =>
        from slot in NamedSlots()
        where slot.Slot.IsParameter && slot.Slot.FloatTensor is not null
        select (slot.Name, slot.Slot.FloatTensor!);

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Float buffers (running statistics); integer counters are in the state dict only.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers() =>
        from slot in NamedSlots()
        where !slot.Slot.IsParameter && slot.Slot.FloatTensor is not null
        select (slot.Name, slot.Slot.FloatTensor!);

    /// <summary>The number of learnable values (PyTorch's <c>sum(p.numel() for p in model.parameters())</c>).</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Length);

    private IEnumerable<(string Name, StateSlot Slot)> NamedSlots()
    {
        foreach (var (path, module) in NamedModules())
        {
            foreach (var slot in module.slots)
            {
                yield return (path.Length == 0 ? slot.Name : $"{path}.{slot.Name}", slot);
            }
        }
    }

    // ---- state dict ------------------------------------------------------------------------------

    /// <summary>Every parameter and buffer by dotted name, copied, in PyTorch's order.</summary>
    public StateDict StateDict()
    {
        var dict = new StateDict();
        foreach (var (name, slot) in NamedSlots()) dict.Add(name, slot.Read());
        return dict;
    }

    /// <summary>The buffers alone (running statistics, counters), copied: small enough to snapshot every training step.</summary>
    internal StateDict BufferState()
    {
        var dict = new StateDict();
        foreach (var (name, slot) in NamedSlots())
        {
            if (!slot.IsParameter) dict.Add(name, slot.Read());
        }
        return dict;
    }

    /// <summary>
    /// Copies values from <paramref name="stateDict"/> into this model's parameters and buffers.
    /// Everything is checked first and every problem reported together; on any error nothing is loaded.
    /// Shape or dtype mismatches are always errors; missing and unexpected keys are errors when
    /// <paramref name="strict"/>, and are returned otherwise.
    /// </summary>
    /// <exception cref="StateDictLoadException">The state dict does not fit; lists every key at fault.</exception>
    public LoadResult LoadStateDict(StateDict stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var missing = new List<string>();
        var mismatches = new List<KeyMismatch>();
        var toWrite = new List<(StateSlot Slot, TensorData Value)>();
        var expected = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (name, slot) in NamedSlots())
        {
            expected.Add(name);
            if (!stateDict.TryGetValue(name, out var value))
            {
                missing.Add(name);
                continue;
            }
            string? problem = slot.Incompatibility(value);
            if (problem is null) toWrite.Add((slot, value));
            else mismatches.Add(new KeyMismatch(name, problem));
        }
        var unexpected = stateDict.Keys.Where(k => !expected.Contains(k)).ToList();

        if (mismatches.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            throw new StateDictLoadException(GetType().Name, stateDict.Source, missing, unexpected, mismatches);
        }
        foreach (var (slot, value) in toWrite) slot.Write(value);
        return new LoadResult(missing, unexpected);
    }

    // ---- modes -----------------------------------------------------------------------------------

    /// <summary>Sets training mode on this module and every descendant; returns this.</summary>
    public Module Train(bool training = true)
    {
        foreach (var module in Modules()) module.Training = training;
        return this;
    }

    /// <summary>Sets evaluation mode (running statistics, no dropout) everywhere; returns this.</summary>
    public Module Eval() => Train(false);

    // ---- description -----------------------------------------------------------------------------

    /// <summary>The constructor arguments worth printing, as PyTorch's <c>extra_repr</c>.</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>How errors name this module: its type, its path if known, and its arguments.</summary>
    protected string Describe()
    {
        string args = ExtraRepr();
        string self = args.Length == 0 ? GetType().Name : $"{GetType().Name}({args})";
        return Path.Length == 0 ? self : $"'{Path}' {self}";
    }

    /// <summary>The error for an input this module cannot take.</summary>
    protected ShapeMismatchException InputShapeError(string expected, Tensor actual) =>
        new(Describe(), expected, actual.Shape);

    /// <summary>The module tree, printed as PyTorch prints a model.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Print(this, text, "", 0);
        return text.ToString();

        static void Print(Module module, StringBuilder text, string name, int depth)
        {
            var children = module.NamedChildren().ToList();
            string args = module.ExtraRepr();
            if (depth > 0) text.Append(' ', 2 * depth).Append('(').Append(name).Append("): ");
            text.Append(module.GetType().Name).Append('(').Append(args);
            if (children.Count > 0)
            {
                text.Append('\n');
                foreach (var (childName, child) in children)
                {
                    Print(child, text, childName, depth + 1);
                    text.Append('\n');
                }
                text.Append(' ', 2 * depth);
            }
            text.Append(')');
        }
    }

    // ---- functional helpers for Forward bodies ---------------------------------------------------

    /// <summary>Flattens dimensions <paramref name="startDim"/>.. into one, as <c>torch.flatten(x, 1)</c>.</summary>
    protected static Tensor Flatten(Tensor input, int startDim = 1) => Functional.Flatten(input, startDim);
}
