using System.Globalization;

namespace QuantGen.Generator.Parsing.Interpreter;

/// <summary>Evaluated values as text: as C# source (layer and block arguments) and as <c>ToString()</c> would (interpolated strings).</summary>
internal static class ValueText
{
    /// <summary>A constant as C# source, with its integer value when it has one; null when it is not a plain constant.</summary>
    public static (string Text, long? Integer)? AsSource(object? value) => value switch
    {
        null => ("null", null),
        bool b => (b ? "true" : "false", null),
        int i => (i.ToString(CultureInfo.InvariantCulture), i),
        long l => (l.ToString(CultureInfo.InvariantCulture), l),
        short s => (s.ToString(CultureInfo.InvariantCulture), s),
        byte b8 => (b8.ToString(CultureInfo.InvariantCulture), b8),
        float f => (f.ToString("R", CultureInfo.InvariantCulture) + "f", null),
        double d => (d.ToString("R", CultureInfo.InvariantCulture), null),
        string s => ("\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"", null),
        _ => null,
    };

    /// <summary>A value as an interpolation hole shows it (invariant culture, so that diagnostics do not depend on the machine).</summary>
    public static string AsString(object? value) => value switch
    {
        null => "",
        bool b => b ? "True" : "False",
        float f => f.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        System.IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        string s => s,
        char c => c.ToString(),
        ModuleValue module => module.Type.ToDisplayString(),
        ListValue => "System.Collections.Generic.List",
        TupleValue tuple => "(" + string.Join(", ", System.Linq.Enumerable.Select(tuple.Items, AsString)) + ")",
        ExceptionValue exception => exception.TypeName + ": " + exception.Message,
        _ => value.GetType().Name,
    };
}
