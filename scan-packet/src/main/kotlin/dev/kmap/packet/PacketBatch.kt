package dev.kmap.packet

/**
 * A reusable batch of up to [capacity] packets of at most [maxPacketSize] bytes each, for
 * [PacketIo.send]. Buffers are allocated once; templates write into [nextBuffer] and [commit]
 * records the length, so building a batch allocates nothing. Not thread-safe.
 *
 * ```kotlin
 * val batch = PacketBatch(capacity = 64)
 * for (port in ports) {
 *     if (batch.isFull) { batch.dropFirst(io.send(batch)) }
 *     batch.commit(syn.write(batch.nextBuffer(), 0, dst, 40000, port, seqOf(port)))
 * }
 * ```
 *
 * @property capacity packets per batch.
 * @property maxPacketSize bytes per packet buffer.
 */
public class PacketBatch(public val capacity: Int, public val maxPacketSize: Int = 256) {
    init {
        require(capacity in 1..65536) { "capacity must be 1..65536: $capacity" }
        require(maxPacketSize in 60..65535) { "maxPacketSize must be 60..65535: $maxPacketSize" }
    }

    private val buffers = Array(capacity) { ByteArray(maxPacketSize) }
    private val lengths = IntArray(capacity)

    /** Packets in the batch. */
    public var size: Int = 0
        private set

    /** True when no further packet fits. */
    public val isFull: Boolean get() = size == capacity

    /** True when the batch holds no packet. */
    public val isEmpty: Boolean get() = size == 0

    /**
     * The buffer of the next packet, to write into from offset 0; [commit] adds it. Raises
     * [IllegalStateException] when the batch is full.
     *
     * ```kotlin
     * batch.commit(template.write(batch.nextBuffer(), 0, dst, 40000, 80, seq))
     * ```
     */
    public fun nextBuffer(): ByteArray {
        check(size < capacity) { "batch is full ($capacity packets)" }
        return buffers[size]
    }

    /**
     * Adds the packet written into [nextBuffer], of [length] bytes.
     *
     * ```kotlin
     * batch.commit(60)
     * ```
     */
    public fun commit(length: Int) {
        check(size < capacity) { "batch is full ($capacity packets)" }
        require(length in 1..maxPacketSize) { "packet length must be 1..$maxPacketSize: $length" }
        lengths[size++] = length
    }

    /**
     * Adds a copy of [length] bytes of [packet] from [offset].
     *
     * ```kotlin
     * batch.add(frame)
     * ```
     */
    public fun add(packet: ByteArray, offset: Int = 0, length: Int = packet.size - offset) {
        require(offset >= 0 && length >= 0 && offset <= packet.size - length) { "range outside the packet" }
        System.arraycopy(packet, offset, nextBuffer(), 0, length)
        commit(length)
    }

    /**
     * The buffer of packet [index] (0 until [size]); its first [length] bytes are the packet.
     *
     * ```kotlin
     * for (i in 0 until batch.size) send(batch.buffer(i), batch.length(i))
     * ```
     */
    public fun buffer(index: Int): ByteArray {
        checkIndex(index)
        return buffers[index]
    }

    /**
     * The length of packet [index] (0 until [size]).
     *
     * ```kotlin
     * val bytes = batch.buffer(0).copyOf(batch.length(0))
     * ```
     */
    public fun length(index: Int): Int {
        checkIndex(index)
        return lengths[index]
    }

    /**
     * Removes the first [count] packets (those [PacketIo.send] sent), keeping the rest in order;
     * moves buffer references, copies no bytes.
     *
     * ```kotlin
     * batch.dropFirst(io.send(batch))   // what is left is retried next time
     * ```
     */
    public fun dropFirst(count: Int) {
        require(count in 0..size) { "cannot drop $count of $size packets" }
        if (count == 0) return
        if (count == size) {
            size = 0
            return
        }
        // rotate the buffer references left by count
        val head = buffers.copyOfRange(0, count)
        System.arraycopy(buffers, count, buffers, 0, capacity - count)
        System.arraycopy(head, 0, buffers, capacity - count, count)
        System.arraycopy(lengths, count, lengths, 0, size - count)
        size -= count
    }

    /**
     * Empties the batch (the buffers stay allocated).
     *
     * ```kotlin
     * batch.clear(); check(batch.isEmpty)
     * ```
     */
    public fun clear() {
        size = 0
    }

    private fun checkIndex(index: Int) {
        if (index < 0 || index >= size) throw IndexOutOfBoundsException("packet $index of $size")
    }
}
