package dev.kmap.script.proto

/**
 * A reply that does not parse as the protocol says: too short, a length that points past the
 * end, an unexpected message type. The only exception the `dev.kmap.script.proto` parsers throw
 * on bad bytes; a script action that lets it escape reports `ERROR: <message>`.
 *
 * ```kotlin
 * try { NtpPacket.parse(reply) } catch (e: ProtocolException) { return@action "ERROR: ${e.message}" }
 * ```
 */
public class ProtocolException(message: String) : RuntimeException(message)
