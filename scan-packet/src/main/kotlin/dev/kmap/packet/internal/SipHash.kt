package dev.kmap.packet.internal

/**
 * SipHash-2-4 (Aumasson and Bernstein) of a message of whole 64-bit words, each taken as the
 * little-endian reading of 8 message bytes, exactly as the reference implementation reads them;
 * so `hash(k0, k1, w...)` equals reference SipHash of the words' little-endian bytes. Written out
 * for 5 words so that hashing a probe's 4-tuple allocates nothing.
 */
internal object SipHash {
    fun hash5(k0: Long, k1: Long, m0: Long, m1: Long, m2: Long, m3: Long, m4: Long): Long {
        val s = State(k0, k1)
        s.absorb(m0)
        s.absorb(m1)
        s.absorb(m2)
        s.absorb(m3)
        s.absorb(m4)
        return s.finish(40)
    }

    /** General form for tests and the odd caller: words of a message of `8 * words.size` bytes. */
    fun hash(k0: Long, k1: Long, words: LongArray): Long {
        val s = State(k0, k1)
        for (w in words) s.absorb(w)
        return s.finish(8 * words.size)
    }

    // A local class with fields keeps the code readable; escape analysis removes the allocation.
    private class State(k0: Long, k1: Long) {
        var v0 = k0 xor 0x736f6d6570736575L
        var v1 = k1 xor 0x646f72616e646f6dL
        var v2 = k0 xor 0x6c7967656e657261L
        var v3 = k1 xor 0x7465646279746573L

        fun round() {
            v0 += v1; v1 = java.lang.Long.rotateLeft(v1, 13); v1 = v1 xor v0; v0 = java.lang.Long.rotateLeft(v0, 32)
            v2 += v3; v3 = java.lang.Long.rotateLeft(v3, 16); v3 = v3 xor v2
            v0 += v3; v3 = java.lang.Long.rotateLeft(v3, 21); v3 = v3 xor v0
            v2 += v1; v1 = java.lang.Long.rotateLeft(v1, 17); v1 = v1 xor v2; v2 = java.lang.Long.rotateLeft(v2, 32)
        }

        fun absorb(m: Long) {
            v3 = v3 xor m
            round(); round()
            v0 = v0 xor m
        }

        /** Final block: no tail bytes (whole words), just the length byte. */
        fun finish(lengthBytes: Int): Long {
            val b = (lengthBytes.toLong() and 0xff) shl 56
            v3 = v3 xor b
            round(); round()
            v0 = v0 xor b
            v2 = v2 xor 0xff
            round(); round(); round(); round()
            return v0 xor v1 xor v2 xor v3
        }
    }
}
