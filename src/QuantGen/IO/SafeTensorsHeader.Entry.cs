using System.Text.Json;

namespace QuantGen.IO;

internal sealed partial class SafeTensorsHeader
{
    private const string EntryFields = "\"dtype\", \"shape\" and \"data_offsets\"";

    /// <summary>
    /// One tensor's entry: exactly the three fields, a dtype QuantGen reads, a shape of non-negative int
    /// dimensions, and offsets that span dtype × shape bytes and end within the data buffer.
    /// </summary>
    private SafeTensorsEntry ReadEntry(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error(name, $"the entry is {Describe(value)}; expected an object with {EntryFields}");
        }

        JsonElement? dtypeField = null, shapeField = null, offsetsField = null;
        foreach (JsonProperty field in value.EnumerateObject())
        {
            switch (NameOf(field))
            {
                case "dtype": Assign(ref dtypeField, field, name); break;
                case "shape": Assign(ref shapeField, field, name); break;
                case "data_offsets": Assign(ref offsetsField, field, name); break;
                default:
                    throw Error(name, $"the entry has an unexpected field \"{NameOf(field)}\"; expected exactly {EntryFields}");
            }
        }

        DType dtype = ReadDType(name, Required(dtypeField, "dtype", name));
        int[] dims = ReadShape(name, Required(shapeField, "shape", name));
        (long begin, long end) = ReadOffsets(name, Required(offsetsField, "data_offsets", name));

        long needed = ByteCount(name, dtype, dims);
        if (end - begin != needed)
        {
            throw Error(name,
                $"data_offsets [{begin}, {end}] span {end - begin} bytes, but a {dtype.Name()} tensor of shape {Shape.Format(dims)} needs {needed}");
        }
        if (end > dataLength)
        {
            throw Error(name,
                $"data_offsets [{begin}, {end}] end beyond the data buffer, which holds {dataLength} bytes; expected offsets within [0, {dataLength}]");
        }
        return new SafeTensorsEntry(name, dtype, new Shape(dims), begin, end);
    }

    private void Assign(ref JsonElement? slot, JsonProperty field, string name)
    {
        if (slot is not null)
        {
            throw Error(name, $"the entry has the field \"{NameOf(field)}\" twice; expected each of {EntryFields} once");
        }
        slot = field.Value;
    }

    private JsonElement Required(JsonElement? field, string fieldName, string name) =>
        field ?? throw Error(name, $"the entry has no \"{fieldName}\" field; expected {EntryFields}");

    private DType ReadDType(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Error(name, $"\"dtype\" is {Describe(value)}; expected a string such as \"F32\"");
        }
        string text = TextOf(value);
        return DTypeInfo.TryParse(text, out DType dtype)
            ? dtype
            : throw Error(name, $"dtype \"{Truncate(text)}\" is not supported; QuantGen reads {string.Join(", ", Enum.GetNames<DType>())}");
    }

    private int[] ReadShape(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(name, $"\"shape\" is {Describe(value)}; expected an array of non-negative integers");
        }
        var dims = new int[value.GetArrayLength()];
        int axis = 0;
        foreach (JsonElement dim in value.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long size) || size < 0 || size > int.MaxValue)
            {
                throw Error(name, $"dimension {axis} of \"shape\" is {Describe(dim)}; expected an integer in [0, {int.MaxValue}]");
            }
            dims[axis++] = (int)size;
        }
        return dims;
    }

    private (long Begin, long End) ReadOffsets(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != 2)
        {
            throw Error(name, $"\"data_offsets\" is {Describe(value)}; expected an array of two byte offsets [begin, end]");
        }
        long begin = ReadOffset(name, value[0], "begin");
        long end = ReadOffset(name, value[1], "end");
        if (end < begin)
        {
            throw Error(name, $"data_offsets [{begin}, {end}] end before they begin; expected begin <= end");
        }
        return (begin, end);
    }

    private long ReadOffset(string name, JsonElement value, string which) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long offset) && offset >= 0
            ? offset
            : throw Error(name, $"the {which} of \"data_offsets\" is {Describe(value)}; expected a non-negative integer");

    /// <summary>dtype size × element count, rejecting shapes whose size does not fit in 64 bits.</summary>
    private long ByteCount(string name, DType dtype, int[] dims)
    {
        if (dims.Contains(0)) return 0;
        long count = dtype.SizeInBytes();
        foreach (int dim in dims)
        {
            if (count > long.MaxValue / dim)
            {
                throw Error(name, $"a {dtype.Name()} tensor of shape {Shape.Format(dims)} would need more than {long.MaxValue} bytes; expected a shape that fits the file");
            }
            count *= dim;
        }
        return count;
    }
}
