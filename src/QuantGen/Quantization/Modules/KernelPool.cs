using QuantGen.Compiled;

namespace QuantGen.Quantization;

/// <summary>
/// A compiled layer with scratch of its own, and its idle forks: a call rents one no other call holds (a new fork
/// the first time this many calls overlap) and gives it back, so eager calls from several threads never share
/// scratch and nothing is allocated once the forks exist.
/// </summary>
internal sealed class KernelPool<T>(T first, Func<T, T> fork)
    where T : class
{
    private readonly WorkerPool<T> idle = new(first);

    public Lease Rent()
    {
        if (idle.TryTake(out T? kernel)) return new(this, kernel);
        idle.Made();
        return new(this, fork(first));
    }

    /// <summary>A rented kernel, given back on dispose.</summary>
    public readonly struct Lease(KernelPool<T> pool, T kernel) : IDisposable
    {
        public T Kernel => kernel;

        public void Dispose() => pool.idle.Give(kernel);
    }
}
