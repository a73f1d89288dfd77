package dev.kmap.script.proto

import dev.kmap.script.TcpConnection
import java.io.ByteArrayOutputStream
import java.security.MessageDigest
import java.security.SecureRandom
import java.util.Base64
import javax.crypto.Mac
import javax.crypto.SecretKeyFactory
import javax.crypto.spec.PBEKeySpec
import javax.crypto.spec.SecretKeySpec

/**
 * The start of a PostgreSQL (protocol 3.0) session: the startup message, the authentication the
 * server asks for and, given a password, SCRAM-SHA-256, MD5 or cleartext login up to the server's
 * parameters (`server_version`, ...), using only JDK crypto.
 *
 * ```kotlin
 * val pg = tcp { PgsqlSession(this).start("postgres", "postgres", password = "secret") }
 * println("${pg.authMethod} ${pg.parameters["server_version"]}")
 * ```
 */
public class PgsqlSession(private val connection: TcpConnection) {
    /** The outcome of [start]: the [authMethod] the server asked for, whether login [authenticated], its [parameters], or its [error] message. */
    public class Result(public val authMethod: String, public val authenticated: Boolean, public val parameters: Map<String, String>, public val error: String?)

    /** Sends the startup message for [user]/[database] and, with a [password], logs in. */
    public suspend fun start(user: String, database: String = user, password: String? = null): Result {
        val params = bytes { cstr("user"); cstr(user); cstr("database"); cstr(database); write(0) }
        connection.send(bytes { u32(params.size + 8); u32(196608); write(params) })
        var method = "unknown"
        var authenticated = false
        val parameters = LinkedHashMap<String, String>()
        var scram: Scram? = null
        repeat(100) {
            val (type, body) = readMessage()
            val r = ByteReader(body, "PostgreSQL message")
            when (type) {
                'E' -> return Result(method, false, parameters, errorText(body))
                'R' -> when (val code = r.u32("auth code").toInt()) {
                    0 -> { authenticated = true; if (method == "unknown") method = "trust" }
                    3 -> { method = "cleartext password"; if (password == null) return Result(method, false, parameters, null)
                        send('p', bytes { cstr(password) }) }
                    5 -> { method = "MD5"; if (password == null) return Result(method, false, parameters, null)
                        val salt = r.bytes(4, "MD5 salt")
                        val inner = md5Hex((password + user).toByteArray())
                        send('p', bytes { cstr("md5" + md5Hex(inner.toByteArray() + salt)) }) }
                    10 -> {
                        val mechs = generateSequence { r.cString().takeIf { it.isNotEmpty() } }.toList()
                        method = mechs.joinToString(", ").ifEmpty { "SASL" }
                        if (password == null) return Result(method, false, parameters, null)
                        if ("SCRAM-SHA-256" !in mechs) return Result(method, false, parameters, "no supported SASL mechanism: $mechs")
                        scram = Scram(password).also { s ->
                            val first = s.clientFirst().toByteArray()
                            send('p', bytes { cstr("SCRAM-SHA-256"); u32(first.size); write(first) })
                        }
                    }
                    11 -> { val s = scram ?: throw ProtocolException("SASLContinue without SASL"); send('p', s.clientFinal(String(r.rest(), Charsets.UTF_8)).toByteArray()) }
                    12 -> { val s = scram ?: throw ProtocolException("SASLFinal without SASL"); if (!s.verifyServer(String(r.rest(), Charsets.UTF_8))) throw ProtocolException("the server's SCRAM signature does not match") }
                    else -> { method = "auth code $code"; return Result(method, false, parameters, null) }
                }
                'S' -> { val k = r.cString(); parameters[k] = r.cString() }
                'Z' -> { runCatching { send('X', ByteArray(0)) }; return Result(method, authenticated, parameters, null) }
                'K', 'N' -> {}
                else -> throw ProtocolException("unexpected PostgreSQL message '$type'")
            }
        }
        throw ProtocolException("too many PostgreSQL messages")
    }

    private suspend fun readMessage(): Pair<Char, ByteArray> {
        val header = connection.receiveExactly(5)
        if (header.size < 5) throw ProtocolException(if (header.isEmpty()) "the PostgreSQL server closed the connection" else "PostgreSQL message cut short")
        val r = ByteReader(header, "PostgreSQL message")
        val type = r.u8().toChar()
        val length = r.u32("length")
        if (length < 4 || length > 1_000_000) throw ProtocolException("bad PostgreSQL message length $length")
        val body = connection.receiveExactly((length - 4).toInt())
        if (body.size.toLong() != length - 4) throw ProtocolException("PostgreSQL message cut short")
        return type to body
    }

    private suspend fun send(type: Char, body: ByteArray) = connection.send(bytes { write(type.code); u32(body.size + 4); write(body) })

    private class Scram(private val password: String) {
        private val nonce = Base64.getEncoder().encodeToString(ByteArray(18).also { SecureRandom().nextBytes(it) })
        private val firstBare = "n=,r=$nonce"
        private var serverSignature = ByteArray(0)

        fun clientFirst() = "n,,$firstBare"

        fun clientFinal(serverFirst: String): String {
            val attrs = serverFirst.split(',').filter { it.length > 2 && it[1] == '=' }.associate { it[0] to it.substring(2) }
            val fullNonce = attrs['r']?.takeIf { it.startsWith(nonce) } ?: throw ProtocolException("bad SCRAM server nonce")
            val salt = attrs['s']?.let { runCatching { Base64.getDecoder().decode(it) }.getOrNull() } ?: throw ProtocolException("bad SCRAM salt")
            val iterations = attrs['i']?.toIntOrNull()?.takeIf { it in 1..1_000_000 } ?: throw ProtocolException("bad SCRAM iteration count")
            val salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(PBEKeySpec(password.toCharArray(), salt, iterations, 256)).encoded
            val clientKey = hmac(salted, "Client Key")
            val withoutProof = "c=biws,r=$fullNonce"
            val authMessage = "$firstBare,$serverFirst,$withoutProof"
            val signature = hmac(MessageDigest.getInstance("SHA-256").digest(clientKey), authMessage)
            serverSignature = hmac(hmac(salted, "Server Key"), authMessage)
            val proof = ByteArray(32) { (clientKey[it].toInt() xor signature[it].toInt()).toByte() }
            return "$withoutProof,p=" + Base64.getEncoder().encodeToString(proof)
        }

        fun verifyServer(serverFinal: String): Boolean =
            serverFinal.startsWith("v=") && runCatching { Base64.getDecoder().decode(serverFinal.substring(2).trim()) }.getOrNull()?.contentEquals(serverSignature) == true

        private fun hmac(key: ByteArray, text: String) = Mac.getInstance("HmacSHA256").run { init(SecretKeySpec(key, "HmacSHA256")); doFinal(text.toByteArray()) }
    }

    private companion object {
        fun bytes(block: ByteArrayOutputStream.() -> Unit) = ByteArrayOutputStream().apply(block).toByteArray()
        fun ByteArrayOutputStream.u32(v: Int) { write(v ushr 24); write(v ushr 16); write(v ushr 8); write(v) }
        fun ByteArrayOutputStream.cstr(s: String) { write(s.toByteArray(Charsets.UTF_8)); write(0) }
        fun md5Hex(b: ByteArray) = MessageDigest.getInstance("MD5").digest(b).joinToString("") { "%02x".format(it) }

        /** The M (message) field of an error, with its severity and code. */
        fun errorText(body: ByteArray): String {
            val r = ByteReader(body, "PostgreSQL error")
            val fields = HashMap<Char, String>()
            while (r.remaining > 0) { val t = r.u8(); if (t == 0) break; fields[t.toChar()] = r.cString() }
            return listOfNotNull(fields['S'], fields['M']?.let { m -> fields['C']?.let { "$m ($it)" } ?: m }).joinToString(": ").ifEmpty { "unknown error" }
        }
    }
}
