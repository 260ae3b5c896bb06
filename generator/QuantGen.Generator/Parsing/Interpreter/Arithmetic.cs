using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace QuantGen.Generator.Parsing.Interpreter;

/// <summary>
/// C#'s arithmetic, comparisons and numeric conversions on the interpreter's constants (int, long, float,
/// double, bool, char, string), unchecked as C# is by default. Null means the operation does not apply to
/// those operands; division by zero is reported by the caller.
/// </summary>
internal static class Arithmetic
{
    private enum Rank { None, Int, Long, Float, Double }

    private static Rank RankOf(object? value) => value switch
    {
        int or short or byte or sbyte or ushort or char => Rank.Int,
        long or uint => Rank.Long,
        float => Rank.Float,
        double => Rank.Double,
        _ => Rank.None,
    };

    public static bool IsNumber(object? value) => RankOf(value) != Rank.None;

    public static long ToLong(object? value) => value switch
    {
        int i => i,
        long l => l,
        short s => s,
        byte b => b,
        sbyte sb => sb,
        ushort us => us,
        uint ui => ui,
        char c => c,
        float f => unchecked((long)f),
        double d => unchecked((long)d),
        _ => 0,
    };

    public static double ToDouble(object? value) => value switch
    {
        float f => f,
        double d => d,
        _ => ToLong(value),
    };

    /// <summary>True when <paramref name="kind"/> divides and the right operand is an integer zero.</summary>
    public static bool DividesByZero(BinaryOperatorKind kind, object? left, object? right) =>
        kind is BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder
        && RankOf(left) is Rank.Int or Rank.Long && RankOf(right) is Rank.Int or Rank.Long && ToLong(right) == 0;

    public static object? Binary(BinaryOperatorKind kind, object? left, object? right)
    {
        if (left is bool a && right is bool b) return Logical(kind, a, b);
        if (kind == BinaryOperatorKind.Add && (left is string || right is string)) return ValueText.AsString(left) + ValueText.AsString(right);
        if (left is string sl && right is string sr)
        {
            return kind switch { BinaryOperatorKind.Equals => sl == sr, BinaryOperatorKind.NotEquals => sl != sr, _ => null };
        }

        Rank rank = (Rank)Math.Max((int)RankOf(left), (int)RankOf(right));
        if (RankOf(left) == Rank.None || RankOf(right) == Rank.None) return ReferenceComparison(kind, left, right);
        return rank switch
        {
            Rank.Int => Integer(kind, (int)ToLong(left), (int)ToLong(right)),
            Rank.Long => Long(kind, ToLong(left), ToLong(right)),
            Rank.Float => Float(kind, (float)ToDouble(left), (float)ToDouble(right)),
            _ => Double(kind, ToDouble(left), ToDouble(right)),
        };
    }

    private static object? ReferenceComparison(BinaryOperatorKind kind, object? left, object? right) => kind switch
    {
        BinaryOperatorKind.Equals => ReferenceEquals(left, right),
        BinaryOperatorKind.NotEquals => !ReferenceEquals(left, right),
        _ => null,
    };

    private static object? Logical(BinaryOperatorKind kind, bool a, bool b) => kind switch
    {
        BinaryOperatorKind.And or BinaryOperatorKind.ConditionalAnd => a && b,
        BinaryOperatorKind.Or or BinaryOperatorKind.ConditionalOr => a || b,
        BinaryOperatorKind.ExclusiveOr => a ^ b,
        BinaryOperatorKind.Equals => a == b,
        BinaryOperatorKind.NotEquals => a != b,
        _ => null,
    };

    private static object? Integer(BinaryOperatorKind kind, int a, int b) => unchecked(kind switch
    {
        BinaryOperatorKind.Add => a + b,
        BinaryOperatorKind.Subtract => a - b,
        BinaryOperatorKind.Multiply => a * b,
        BinaryOperatorKind.Divide => b == -1 ? -a : a / b,
        BinaryOperatorKind.Remainder => b == -1 ? 0 : a % b,
        BinaryOperatorKind.LeftShift => a << b,
        BinaryOperatorKind.RightShift => a >> b,
        BinaryOperatorKind.And => a & b,
        BinaryOperatorKind.Or => a | b,
        BinaryOperatorKind.ExclusiveOr => a ^ b,
        _ => Compare(kind, a.CompareTo(b)),
    });

    private static object? Long(BinaryOperatorKind kind, long a, long b) => unchecked(kind switch
    {
        BinaryOperatorKind.Add => a + b,
        BinaryOperatorKind.Subtract => a - b,
        BinaryOperatorKind.Multiply => a * b,
        BinaryOperatorKind.Divide => b == -1 ? -a : a / b,
        BinaryOperatorKind.Remainder => b == -1 ? 0 : a % b,
        BinaryOperatorKind.LeftShift => a << (int)b,
        BinaryOperatorKind.RightShift => a >> (int)b,
        BinaryOperatorKind.And => a & b,
        BinaryOperatorKind.Or => a | b,
        BinaryOperatorKind.ExclusiveOr => a ^ b,
        _ => Compare(kind, a.CompareTo(b)),
    });

    private static object? Float(BinaryOperatorKind kind, float a, float b) => kind switch
    {
        BinaryOperatorKind.Add => a + b,
        BinaryOperatorKind.Subtract => a - b,
        BinaryOperatorKind.Multiply => a * b,
        BinaryOperatorKind.Divide => a / b,
        BinaryOperatorKind.Remainder => a % b,
        _ => FloatCompare(kind, a, b),
    };

    private static object? Double(BinaryOperatorKind kind, double a, double b) => kind switch
    {
        BinaryOperatorKind.Add => a + b,
        BinaryOperatorKind.Subtract => a - b,
        BinaryOperatorKind.Multiply => a * b,
        BinaryOperatorKind.Divide => a / b,
        BinaryOperatorKind.Remainder => a % b,
        _ => FloatCompare(kind, a, b),
    };

    // NaN compares false with everything except !=, as in C#.
    private static object? FloatCompare(BinaryOperatorKind kind, double a, double b) => kind switch
    {
        BinaryOperatorKind.Equals => a == b,
        BinaryOperatorKind.NotEquals => a != b,
        BinaryOperatorKind.LessThan => a < b,
        BinaryOperatorKind.LessThanOrEqual => a <= b,
        BinaryOperatorKind.GreaterThan => a > b,
        BinaryOperatorKind.GreaterThanOrEqual => a >= b,
        _ => null,
    };

    private static object? Compare(BinaryOperatorKind kind, int order) => kind switch
    {
        BinaryOperatorKind.Equals => order == 0,
        BinaryOperatorKind.NotEquals => order != 0,
        BinaryOperatorKind.LessThan => order < 0,
        BinaryOperatorKind.LessThanOrEqual => order <= 0,
        BinaryOperatorKind.GreaterThan => order > 0,
        BinaryOperatorKind.GreaterThanOrEqual => order >= 0,
        _ => null,
    };

    public static object? Unary(UnaryOperatorKind kind, object? operand) => (kind, operand) switch
    {
        (UnaryOperatorKind.Not, bool b) => !b,
        (UnaryOperatorKind.Plus, _) when IsNumber(operand) => operand,
        (UnaryOperatorKind.Minus, int i) => unchecked(-i),
        (UnaryOperatorKind.Minus, long l) => unchecked(-l),
        (UnaryOperatorKind.Minus, float f) => -f,
        (UnaryOperatorKind.Minus, double d) => -d,
        (UnaryOperatorKind.BitwiseNegation, int i) => ~i,
        (UnaryOperatorKind.BitwiseNegation, long l) => ~l,
        _ => null,
    };

    /// <summary>
    /// <paramref name="value"/> converted to <paramref name="type"/>: numeric conversions truncate as C# casts do;
    /// anything else (references, boxing, enums, nullable wrapping) passes through. Null when it cannot convert.
    /// </summary>
    public static (bool Ok, object? Value) Convert(object? value, ITypeSymbol? type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            return value is null ? (true, null) : Convert(value, nullable.TypeArguments[0]);
        }

        if (!IsNumber(value)) return (true, value);
        return unchecked(type?.SpecialType switch
        {
            SpecialType.System_Int32 => (true, value is float or double ? (int)ToDouble(value) : (int)ToLong(value)),
            SpecialType.System_Int64 => (true, value is float or double ? (long)ToDouble(value) : ToLong(value)),
            SpecialType.System_Int16 => (true, (short)ToLong(value)),
            SpecialType.System_Byte => (true, (byte)ToLong(value)),
            SpecialType.System_Char => (true, (char)ToLong(value)),
            SpecialType.System_Single => (true, value is double d ? (float)d : (float)ToDouble(value)),
            SpecialType.System_Double => (true, ToDouble(value)),
            SpecialType.System_Object or SpecialType.System_ValueType => (true, value),
            _ when type?.TypeKind == TypeKind.Enum => (true, value),
            _ => (false, null),
        });
    }
}
