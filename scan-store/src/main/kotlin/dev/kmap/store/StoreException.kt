package dev.kmap.store

/**
 * The store cannot be used: the file is not a kmap database (corrupt, or another program's),
 * its schema is from a newer kmap, it is locked by another process, the PostgreSQL server cannot
 * be reached or refused the login, or a stored scan asked for does not exist. [message] is one
 * line naming the store (passwords left out) and what was expected; nothing stored was changed.
 *
 * ```kotlin
 * try { ScanStore.open("jdbc:sqlite:/tmp/x.db").use { println(it.history()) } }
 * catch (e: StoreException) { System.err.println("kmap: ${e.message}") }
 * ```
 */
public class StoreException(message: String, cause: Throwable? = null) : RuntimeException(message, cause)
