package dev.kmap.script.proto

import java.math.BigInteger
import java.security.MessageDigest
import java.util.Base64

/**
 * An SSH server host key from its wire [blob]: [algorithm] (`ssh-ed25519`, `ecdsa-sha2-nistp256`,
 * `ssh-rsa`, ...), [bits], and fingerprints in `ssh-keygen -l` form.
 *
 * ```kotlin
 * val key = SshHostKey.parse(blob)
 * println("${key.bits} ${key.sha256} (${key.type})")   // 256 SHA256:hZAK... (ED25519)
 * ```
 */
public class SshHostKey(public val blob: ByteArray) {
    /** The key's algorithm name from the blob. */
    public val algorithm: String

    /** The key size in bits as `ssh-keygen -l` prints it. */
    public val bits: Int

    init {
        val r = ByteReader(blob, "SSH host key")
        algorithm = String(r.bytes(r.u32("key type length").toInt(), "key type"), Charsets.ISO_8859_1)
        bits = when {
            algorithm == "ssh-ed25519" -> 256
            algorithm == "ssh-ed448" -> 456
            algorithm.startsWith("ecdsa-sha2-nistp") -> algorithm.removePrefix("ecdsa-sha2-nistp").toIntOrNull()
                ?: throw ProtocolException("unknown ECDSA curve in $algorithm")
            algorithm == "ssh-rsa" -> { skipString(r); BigInteger(1, string(r)).bitLength() }
            algorithm == "ssh-dss" -> BigInteger(1, string(r)).bitLength()
            else -> 0
        }
    }

    /** `ssh-keygen -l` type: `ED25519`, `ECDSA`, `RSA`, `DSA`. */
    public val type: String get() = when {
        algorithm == "ssh-ed25519" -> "ED25519"
        algorithm == "ssh-ed448" -> "ED448"
        algorithm.startsWith("ecdsa-") -> "ECDSA"
        algorithm == "ssh-rsa" -> "RSA"
        algorithm == "ssh-dss" -> "DSA"
        else -> algorithm.uppercase()
    }

    /** `SHA256:` + unpadded Base64 of the blob's SHA-256, as `ssh-keygen -l -E sha256`. */
    public val sha256: String get() = "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(blob))

    /** `MD5:` + colon-separated hex of the blob's MD5, as `ssh-keygen -l -E md5`. */
    public val md5: String get() = "MD5:" + MessageDigest.getInstance("MD5").digest(blob).joinToString(":") { "%02x".format(it) }

    /** The key as in `known_hosts`: algorithm and Base64 blob. */
    public val publicKey: String get() = "$algorithm ${Base64.getEncoder().encodeToString(blob)}"

    private fun string(r: ByteReader): ByteArray = r.bytes(r.u32("length").toInt().let { if (it < 0) Int.MAX_VALUE else it }, "key field")
    private fun skipString(r: ByteReader) { string(r) }

    public companion object {
        /** Parses a host key blob; [ProtocolException] when it is malformed. */
        public fun parse(blob: ByteArray): SshHostKey = SshHostKey(blob)
    }
}
