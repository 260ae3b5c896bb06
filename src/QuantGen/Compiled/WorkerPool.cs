using System.Diagnostics.CodeAnalysis;

namespace QuantGen.Compiled;

/// <summary>
/// The idle workers of a pass, for calls that overlap. A worker is taken and given back without a lock, so a call never
/// waits for another here (and a thread's first wait, which allocates, never happens on this path); slots are added
/// only when a worker is made, so that there is always one free for a worker coming back.
/// </summary>
/// <remarks>Safe for any number of threads at once.</remarks>
internal sealed class WorkerPool<T> where T : class
{
    private const int SegmentSize = 8;

    private sealed class Segment
    {
        public readonly T?[] Slots = new T?[SegmentSize];
        public Segment? Next;
    }

    private readonly Segment head = new();
    private readonly Lock growth = new();
    private Segment tail;
    private int workers, capacity = SegmentSize;

    public WorkerPool(T first)
    {
        tail = head;
        head.Slots[0] = first;
        workers = 1;
    }

    /// <summary>Workers made so far, the first included.</summary>
    public int Workers => Volatile.Read(ref workers);

    public bool TryTake([NotNullWhen(true)] out T? worker)
    {
        for (Segment? segment = head; segment is not null; segment = Volatile.Read(ref segment.Next))
        {
            T?[] slots = segment.Slots;
            for (int i = 0; i < slots.Length; i++)
            {
                T? candidate = Volatile.Read(ref slots[i]);
                if (candidate is not null && Interlocked.CompareExchange(ref slots[i], null, candidate) == candidate)
                {
                    worker = candidate;
                    return true;
                }
            }
        }

        worker = null;
        return false;
    }

    /// <summary>Counts a worker made because none was idle, and keeps a slot for it (before it is ever given back).</summary>
    public void Made()
    {
        lock (growth)
        {
            workers++;
            if (workers <= capacity) return;
            var next = new Segment();
            Volatile.Write(ref tail.Next, next);
            tail = next;
            capacity += SegmentSize;
        }
    }

    /// <summary>
    /// Gives a worker back. While it is out there are fewer idle workers than slots, so a free slot exists; one pass
    /// may miss it while others move, hence the loop.
    /// </summary>
    public void Give(T worker)
    {
        while (true)
        {
            for (Segment? segment = head; segment is not null; segment = Volatile.Read(ref segment.Next))
            {
                T?[] slots = segment.Slots;
                for (int i = 0; i < slots.Length; i++)
                {
                    if (Volatile.Read(ref slots[i]) is null && Interlocked.CompareExchange(ref slots[i], worker, null) is null) return;
                }
            }
        }
    }
}
