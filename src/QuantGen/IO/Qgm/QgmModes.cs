namespace QuantGen.IO.Qgm;

/// <summary>The file's spelling of <see cref="QgmMode"/>, and which mode a set of substitutes amounts to.</summary>
internal static class QgmModes
{
    public static string Name(QgmMode mode) => mode == QgmMode.Static ? "static" : "dynamic";

    public static bool TryParse(string text, out QgmMode mode)
    {
        mode = text == "dynamic" ? QgmMode.Dynamic : QgmMode.Static;
        return text is "static" or "dynamic";
    }

    /// <summary>Static when any layer was converted statically, dynamic when only Linear layers were, null when none was.</summary>
    public static QgmMode? Of(IEnumerable<SubstituteKind> kinds)
    {
        QgmMode? mode = null;
        foreach (var kind in kinds)
        {
            if (kind.IsStatic()) return QgmMode.Static;
            if (kind == SubstituteKind.DynamicQuantizedLinear) mode = QgmMode.Dynamic;
        }
        return mode;
    }
}
