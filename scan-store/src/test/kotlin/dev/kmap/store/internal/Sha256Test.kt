package dev.kmap.store.internal

import java.security.MessageDigest
import java.util.HexFormat
import kotlin.random.Random
import kotlin.test.Test
import kotlin.test.assertEquals

/** The plan hash's own SHA-256 equals the JDK's, at every padding boundary and on long inputs. */
class Sha256Test {
    private fun hex(b: ByteArray) = HexFormat.of().formatHex(b)

    @Test
    fun `known answers of FIPS 180-2`() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(Sha256.digest(ByteArray(0))))
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex(Sha256.digest("abc".toByteArray())))
        assertEquals(
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            hex(Sha256.digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".toByteArray())),
        )
    }

    @Test
    fun `equals MessageDigest for every length up to three blocks and beyond`() {
        val random = Random(15)
        val lengths = (0..200) + listOf(1_000, 4_095, 4_096, 65_537)
        for (n in lengths) {
            val input = random.nextBytes(n)
            assertEquals(hex(MessageDigest.getInstance("SHA-256").digest(input)), hex(Sha256.digest(input)), "length $n")
        }
    }
}
