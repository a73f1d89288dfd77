package dev.kmap.passive

/**
 * Receives a parser's messages; [fromInitiator] says which side's bytes they came from.
 *
 * ```kotlin
 * val out = MessageSink { fromInitiator, m -> println("${if (fromInitiator) ">" else "<"} $m") }
 * ```
 */
public fun interface MessageSink {
    /** One message. */
    public fun message(fromInitiator: Boolean, message: PassiveMessage)
}
